package io.flock.models.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Copies data files that a Debian package ships into the data cache. When the package is installed
 * the files are copied from the system; otherwise {@code apt-get download PKG} (Debian's own client,
 * no installation, no root needed for the download itself) fetches the {@code .deb} into a
 * temporary directory and {@code dpkg-deb -x} extracts it there. Files are moved into place
 * atomically, so the cache holds complete files or none.
 */
public final class DebianPackage {

  private DebianPackage() {}

  /**
   * Places {@code files} (absolute path inside the package -> file name in {@code target}) of the
   * package {@code name} into {@code target}.
   *
   * @param dataset the data set's CLI name, for messages
   * @throws DataUnavailableException saying what failed and what to do
   */
  public static void fetch(String name, Map<String, String> files, Path target, String dataset)
      throws DataUnavailableException {
    Path tmp = null;
    try {
      Files.createDirectories(target);
      Path root = Path.of("/");
      if (!files.keySet().stream().allMatch(f -> Files.isReadable(Path.of(f)))) {
        tmp = Files.createTempDirectory(target.getParent(), "." + dataset + "-fetch");
        run(tmp, dataset, "apt-get", "download", name);
        Path deb;
        try (var listing = Files.list(tmp)) {
          deb = listing.filter(p -> p.toString().endsWith(".deb")).findFirst()
              .orElseThrow(() -> new IOException("apt-get download " + name + " produced no .deb"));
        }
        Path tree = tmp.resolve("tree");
        run(tmp, dataset, "dpkg-deb", "-x", deb.toString(), tree.toString());
        root = tree;
      }
      for (Map.Entry<String, String> f : files.entrySet()) {
        Path source = root.resolve(f.getKey().substring(1));
        if (!Files.isReadable(source)) {
          throw new DataUnavailableException("the Debian package " + name + " has no " + f.getKey()
              + "; its layout changed: copy the file by hand into " + target.resolve(f.getValue()));
        }
        Path part = target.resolve(f.getValue() + ".part");
        Files.copy(source, part, StandardCopyOption.REPLACE_EXISTING);
        Files.move(part, target.resolve(f.getValue()), StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      String hint = e.getMessage() != null && e.getMessage().contains("error=2")
          ? "apt-get or dpkg-deb is missing (this needs a Debian or Ubuntu machine); "
          : "";
      throw new DataUnavailableException("cannot fetch " + dataset + " from the Debian package " + name
          + " into " + target + ": " + e.getMessage() + "; " + hint + "install it with `apt-get install "
          + name + "` and run `./flock datasets fetch " + dataset + "` again", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DataUnavailableException("interrupted while fetching " + dataset, e);
    } finally {
      deleteQuietly(tmp);
    }
  }

  private static void run(Path dir, String dataset, String... command)
      throws IOException, InterruptedException, DataUnavailableException {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out;
    try (InputStream s = p.getInputStream()) {
      out = new String(s.readAllBytes(), StandardCharsets.UTF_8).trim();
    }
    if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new DataUnavailableException("`" + String.join(" ", command) + "` failed: " + out
          + "; run `apt-get update` (as root) if the package is not found, then `./flock datasets fetch "
          + dataset + "` again");
    }
  }

  private static void deleteQuietly(Path dir) {
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
