package io.flock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code ./flock} launcher refuses contradictory GPU settings before it builds or starts anything. */
class LauncherTest {

  record Result(int exitCode, String err) {}

  static Result launch(Map<String, String> env) throws IOException, InterruptedException {
    Path launcher = Path.of("..", "flock").toAbsolutePath().normalize();
    ProcessBuilder pb = new ProcessBuilder("bash", launcher.toString(), "models");
    pb.environment().putAll(env);
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(p.waitFor(), err);
  }

  @Test
  void cudaFlagOtherThanZeroOrOneIsRefused() throws Exception {
    Result r = launch(Map.of("FLOCK_CUDA", "yes"));
    assertEquals(2, r.exitCode(), r.err());
    assertEquals("flock: FLOCK_CUDA must be 1 (CUDA build) or 0 (CPU build), not 'yes'\n", r.err());
  }

  @Test
  void cudaBuildAndLocalLibtorchTogetherAreRefused() throws Exception {
    Result r = launch(Map.of("FLOCK_CUDA", "1", "FLOCK_LIBTORCH", "/opt/libtorch/lib"));
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(r.err().contains("FLOCK_CUDA=1 and FLOCK_LIBTORCH are two ways to get CUDA natives; set only one"), r.err());
  }
}
