package io.flock.models.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;

/** What fetching from any package registry shares: running its client, atomic placement, clean-up. */
final class PackageFiles {

  private PackageFiles() {}

  /**
   * Runs {@code command} in {@code dir} and waits for it (10 minutes at most).
   *
   * @param advice what to do when it fails, appended to the failure message
   * @throws DataUnavailableException with the command's output when it fails or times out
   */
  static void run(Path dir, String advice, String... command)
      throws IOException, InterruptedException, DataUnavailableException {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out;
    try (InputStream s = p.getInputStream()) {
      out = new String(s.readAllBytes(), StandardCharsets.UTF_8).trim();
    }
    if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new DataUnavailableException("`" + String.join(" ", command) + "` failed: " + out + "; " + advice);
    }
  }

  /** Writes {@code in} to {@code target} through a {@code .part} file, so the cache holds complete files only. */
  static void place(InputStream in, Path target) throws IOException {
    Files.createDirectories(target.getParent());
    Path part = target.resolveSibling(target.getFileName() + ".part");
    Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
    Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Copies {@code source} to {@code target} through a {@code .part} file. */
  static void place(Path source, Path target) throws IOException {
    try (InputStream in = Files.newInputStream(source)) {
      place(in, target);
    }
  }

  /** True when the IOException says the client program does not exist (Java's {@code error=2}). */
  static boolean clientMissing(IOException e) {
    return e.getMessage() != null && e.getMessage().contains("error=2");
  }

  /** Removes a temporary directory; a leftover is harmless since the cache holds complete files only. */
  static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a leftover temp directory is harmless; the cache itself holds complete files only
    }
  }
}
