package io.flock.models.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Copies data files that a Debian package ships into the data cache. When the package is installed
 * the files are copied from the system; otherwise {@code apt-get download PKG} (Debian's own client,
 * no installation, no root needed for the download itself) fetches the {@code .deb} into a
 * temporary directory and {@code dpkg-deb -x} extracts it there. Files are moved into place
 * atomically, so the cache holds complete files or none.
 */
public final class DebianPackage {

  /** Unpacks the package {@code name} into a directory tree under {@code tmp} and returns its root. */
  @FunctionalInterface
  interface Unpacker {
    Path unpack(String name, Path tmp, String dataset)
        throws IOException, InterruptedException, DataUnavailableException;
  }

  private DebianPackage() {}

  /**
   * Places {@code files} (absolute path inside the package -> file name in {@code target}, which may
   * name a sub-directory) of the package {@code name} into {@code target}.
   *
   * @param dataset the data set's CLI name, for messages
   * @throws DataUnavailableException saying what failed and what to do
   */
  public static void fetch(String name, Map<String, String> files, Path target, String dataset)
      throws DataUnavailableException {
    fetch(name, files, target, dataset, Path.of("/"), DebianPackage::download);
  }

  /** As {@link #fetch(String, Map, Path, String)}, with the installed system under {@code system}. */
  static void fetch(String name, Map<String, String> files, Path cacheDir, String dataset, Path system,
      Unpacker unpacker) throws DataUnavailableException {
    // absolute: apt-get and dpkg-deb run inside the temporary directory
    Path target = cacheDir.toAbsolutePath();
    Path tmp = null;
    try {
      Files.createDirectories(target);
      Path root = system;
      if (!files.keySet().stream().allMatch(f -> Files.isReadable(inside(system, f)))) {
        tmp = Files.createTempDirectory(target.getParent(), "." + dataset + "-fetch");
        root = unpacker.unpack(name, tmp, dataset);
      }
      for (Map.Entry<String, String> f : files.entrySet()) {
        Path source = inside(root, f.getKey());
        if (!Files.isReadable(source)) {
          throw new DataUnavailableException("the Debian package " + name + " has no " + f.getKey()
              + "; its layout changed: copy the file by hand into " + target.resolve(f.getValue()));
        }
        PackageFiles.place(source, target.resolve(f.getValue()));
      }
    } catch (IOException e) {
      String hint = PackageFiles.clientMissing(e)
          ? "apt-get or dpkg-deb is missing (this needs a Debian or Ubuntu machine); "
          : "";
      throw new DataUnavailableException("cannot fetch " + dataset + " from the Debian package " + name
          + " into " + target + ": " + e.getMessage() + "; " + hint + "install it with `apt-get install "
          + name + "` and run `./flock datasets fetch " + dataset + "` again", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DataUnavailableException("interrupted while fetching " + dataset, e);
    } finally {
      PackageFiles.deleteQuietly(tmp);
    }
  }

  private static Path inside(Path root, String absolute) {
    return root.resolve(absolute.substring(1));
  }

  /** {@code apt-get download NAME} into {@code tmp}, then {@code dpkg-deb -x} into {@code tmp/tree}. */
  private static Path download(String name, Path tmp, String dataset)
      throws IOException, InterruptedException, DataUnavailableException {
    String advice = "run `apt-get update` (as root) if the package is not found, then `./flock datasets fetch "
        + dataset + "` again";
    PackageFiles.run(tmp, advice, "apt-get", "download", name);
    Path deb;
    try (var listing = Files.list(tmp)) {
      deb = listing.filter(p -> p.toString().endsWith(".deb")).findFirst()
          .orElseThrow(() -> new IOException("apt-get download " + name + " produced no .deb"));
    }
    Path tree = tmp.resolve("tree");
    PackageFiles.run(tmp, advice, "dpkg-deb", "-x", deb.toString(), tree.toString());
    return tree;
  }
}
