package io.flock.models.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf 2017): 60,000 training and 10,000 test 28x28 grey images
 * of 10 clothing classes, in MNIST's IDX format. The files come from the Debian package {@code
 * dataset-fashion-mnist}, which installs them (gzipped) under {@value #SYSTEM_DIR}; {@link #fetch}
 * copies them into the data cache, and loading reads the cache only.
 */
public final class FashionMnist {

  /** Where the Debian package puts the files. */
  public static final String SYSTEM_DIR = "/usr/share/datasets/fashion-mnist";

  /** The Debian package that provides them. */
  public static final String DEBIAN_PACKAGE = "dataset-fashion-mnist";

  private static final List<String> FILES = List.of(
      "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
      "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");

  private FashionMnist() {}

  /** The directory under the cache root that holds the IDX files. */
  public static Path directory(Path cacheRoot) {
    return cacheRoot.resolve("fashion-mnist");
  }

  /** True when all four files are in the cache. */
  public static boolean isCached(Path cacheRoot) {
    return FILES.stream().allMatch(f -> Files.isRegularFile(directory(cacheRoot).resolve(f)));
  }

  /** Loads the cached files (fetching them from the installed package when allowed). */
  public static Mnist.Splits load(Path cacheRoot, boolean allowFetch) throws DataUnavailableException {
    if (!isCached(cacheRoot)) {
      if (!allowFetch) {
        throw new DataUnavailableException("Fashion-MNIST is not in " + directory(cacheRoot)
            + "; run `./flock datasets fetch fashion-mnist`");
      }
      fetch(cacheRoot, Path.of(SYSTEM_DIR));
    }
    Path dir = directory(cacheRoot);
    try {
      return new Mnist.Splits(
          Mnist.read("fashion-mnist/train", dir.resolve(FILES.get(0)), dir.resolve(FILES.get(1))),
          Mnist.read("fashion-mnist/test", dir.resolve(FILES.get(2)), dir.resolve(FILES.get(3))));
    } catch (IOException e) {
      throw new DataUnavailableException("cannot read Fashion-MNIST from " + dir + ": " + e.getMessage()
          + "; delete the directory and run `./flock datasets fetch fashion-mnist` again", e);
    }
  }

  /**
   * Copies the files of the installed Debian package from {@code source} into the cache.
   *
   * @throws DataUnavailableException saying how to install the package when it is missing
   */
  public static void fetch(Path cacheRoot, Path source) throws DataUnavailableException {
    for (String f : FILES) {
      if (!Files.isReadable(source.resolve(f))) {
        throw new DataUnavailableException("Fashion-MNIST is not installed (" + source.resolve(f)
            + " is missing): install the Debian package with `apt-get install " + DEBIAN_PACKAGE
            + "` (as root), then run `./flock datasets fetch fashion-mnist`");
      }
    }
    Path target = directory(cacheRoot);
    try {
      Files.createDirectories(target);
      for (String f : FILES) {
        Path part = target.resolve(f + ".part");
        Files.copy(source.resolve(f), part, StandardCopyOption.REPLACE_EXISTING);
        Files.move(part, target.resolve(f), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new DataUnavailableException("cannot copy Fashion-MNIST into " + target + ": " + e.getMessage(), e);
    }
  }
}
