package io.flock.cli;

import static io.flock.cli.FlockCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flock.actors.coordinator.Checkpoint;
import io.flock.actors.coordinator.CheckpointFiles;
import io.flock.models.aggregation.Strategies;
import io.flock.models.aggregation.StrategyOptions;
import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import io.flock.models.weights.ParamSpec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `flock seed` / `flock member` refuse bad input clearly and never touch what was checkpointed. */
class ClusterCommandsTest {

  @TempDir Path tmp;

  private static Checkpoint checkpoint(long round) {
    ModelWeights w = ModelWeights.zeros(new ModelLayout(List.of(ParamSpec.of("w", 3))));
    return new Checkpoint(List.of("--rounds", "9"), round, (int) round, 0, 0.3, 0.9, w,
        Strategies.create("fedavg", StrategyOptions.defaults()).newServerOptimizer().snapshot(), null, null,
        List.of(), null, null);
  }

  @Test
  void seedOnAPortInUseSaysSoAndExits() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      FlockCliTest.Run r = run("seed", "--port", "" + taken.getLocalPort(), "--workdir", tmp.resolve("w").toString());
      assertEquals(2, r.exitCode());
      assertTrue(r.err().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()), r.err());
      assertTrue(r.err().contains("choose another --port"), r.err());
    }
  }

  @Test
  void seedRefusesSecureAggregationWithoutAnAllowlistSayingWhyAndWhatToDo() {
    FlockCliTest.Run seed = run("seed", "--port", "" + ClusterProcessesTest.freePort(), "--workdir",
        tmp.resolve("s").toString(), "--secure-aggregation");
    assertEquals(2, seed.exitCode());
    assertTrue(seed.err().contains("--secure-aggregation in a cluster needs --allowlist: the coordinator must know"
        + " each node's ML-DSA-65 public key"), seed.err());
    assertTrue(seed.err().contains("`flock identities --out keys --nodes N`"), seed.err());
    assertTrue(seed.err().contains("--allowlist keys/allowlist.txt"), seed.err());
    assertTrue(!Files.exists(tmp.resolve("s")), "nothing was written");
  }

  @Test
  void memberRefusesSecureAggregationWithoutIdentities() {
    FlockCliTest.Run member = run("member", "--seed", "127.0.0.1:" + ClusterProcessesTest.freePort(),
        "--secure-aggregation");
    assertEquals(2, member.exitCode());
    assertTrue(member.err().contains("--secure-aggregation needs --identities DIR"), member.err());
  }

  @Test
  void seedRefusesAWorkdirWithACheckpointUnlessResumingAndLeavesItAlone() throws IOException {
    Path work = tmp.resolve("w");
    new CheckpointFiles(work).write(checkpoint(4));
    byte[] before = Files.readAllBytes(work.resolve(CheckpointFiles.LATEST));
    FlockCliTest.Run r = run("seed", "--port", "" + ClusterProcessesTest.freePort(), "--workdir", work.toString(), "--rounds", "3");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("holds the checkpoint of a run after round 4: pass --resume"), r.err());
    assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(work.resolve(CheckpointFiles.LATEST))));
  }

  @Test
  void seedResumeWithoutACheckpointOrWithACorruptOneExplainsAndKeepsTheFiles() throws IOException {
    FlockCliTest.Run none = run("seed", "--port", "" + ClusterProcessesTest.freePort(), "--workdir", tmp.resolve("empty").toString(),
        "--resume");
    assertEquals(2, none.exitCode());
    assertTrue(none.err().contains("--resume: no checkpoint in"), none.err());

    Path work = tmp.resolve("w");
    CheckpointFiles files = new CheckpointFiles(work);
    files.write(checkpoint(2));
    files.write(checkpoint(3));
    Path latest = work.resolve(CheckpointFiles.LATEST);
    byte[] damaged = Files.readAllBytes(latest);
    damaged[damaged.length / 2] ^= 1;
    Files.write(latest, damaged);
    FlockCliTest.Run corrupt = run("seed", "--port", "" + ClusterProcessesTest.freePort(), "--workdir", work.toString(), "--resume");
    assertEquals(2, corrupt.exitCode());
    assertTrue(corrupt.err().contains("is corrupt: its CRC32 does not match"), corrupt.err());
    assertTrue(corrupt.err().contains(CheckpointFiles.PREVIOUS + " (move it to " + CheckpointFiles.LATEST), corrupt.err());
    assertTrue(java.util.Arrays.equals(damaged, Files.readAllBytes(latest)), "nothing was overwritten");
    assertEquals(2, CheckpointFiles.read(work.resolve(CheckpointFiles.PREVIOUS)).round());
  }

  @Test
  void memberPointingAtASeedThatIsNotThereGivesUpWithAClearMessage() {
    int nobody = ClusterProcessesTest.freePort();
    FlockCliTest.Run r = run("member", "--seed", "127.0.0.1:" + nobody, "--join-timeout", "3", "--model", "logistic",
        "--train-limit", "200");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("not a cluster member after 3 s: no seed answered at [127.0.0.1:" + nobody + "]"),
        r.err());
  }

  @Test
  void memberRejectsMalformedSeedPartitionAndStandbyWithoutWorkdir() {
    FlockCliTest.Run seed = run("member", "--seed", "localhost");
    assertEquals(2, seed.exitCode());
    assertTrue(seed.err().contains("--seed must be HOST:PORT"), seed.err());
    FlockCliTest.Run part = run("member", "--seed", "127.0.0.1:2552", "--partition", "3/3");
    assertEquals(2, part.exitCode());
    assertTrue(part.err().contains("--partition must be I/N with 0 <= I < N"), part.err());
    FlockCliTest.Run standby = run("member", "--seed", "127.0.0.1:2552", "--standby");
    assertEquals(2, standby.exitCode());
    assertTrue(standby.err().contains("--standby needs --workdir"), standby.err());
    FlockCliTest.Run keys = run("member", "--seed", "127.0.0.1:2552", "--identities", tmp.toString(),
        "--model", "logistic", "--train-limit", "200");
    assertEquals(2, keys.exitCode());
    assertTrue(keys.err().contains("--identities: no key for node-0000"), keys.err());
    FlockCliTest.Run data = run("member", "--seed", "127.0.0.1:2552", "--data", tmp.toString(), "--model", "logistic",
        "--train-limit", "200");
    assertEquals(2, data.exitCode());
    assertTrue(data.err().contains("--data " + tmp + ": missing train-images-idx3-ubyte"), data.err());
  }
}
