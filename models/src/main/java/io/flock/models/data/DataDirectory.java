package io.flock.models.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where data sets are cached: {@code --data-dir} when given, else {@code $FLOCK_DATA_DIR}, else
 * {@code ~/.cache/flock/datasets}. An explicitly given directory must already exist and be
 * readable; the default one is created on demand.
 */
public final class DataDirectory {

  /** Environment variable that overrides the default cache directory. */
  public static final String ENV = "FLOCK_DATA_DIR";

  private DataDirectory() {}

  /** The default cache root: {@code $FLOCK_DATA_DIR} or {@code ~/.cache/flock/datasets}. */
  public static Path defaultRoot() {
    String env = System.getenv(ENV);
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "flock", "datasets");
  }

  /**
   * Resolves and checks the cache root.
   *
   * @param explicit the user's {@code --data-dir}, or null for the default
   */
  public static Path resolve(Path explicit) throws DataUnavailableException {
    if (explicit != null) {
      if (!Files.exists(explicit)) {
        throw new DataUnavailableException(
            "data directory " + explicit + " does not exist; create it or omit --data-dir to use "
                + defaultRoot());
      }
      if (!Files.isDirectory(explicit)) {
        throw new DataUnavailableException(
            "data directory " + explicit + " is not a directory; pass a directory to --data-dir");
      }
      if (!Files.isReadable(explicit) || !Files.isExecutable(explicit)) {
        throw new DataUnavailableException(
            "data directory " + explicit + " is not readable; fix its permissions (chmod u+rx)");
      }
      return explicit;
    }
    Path root = defaultRoot();
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new DataUnavailableException(
          "cannot create the data cache " + root + ": " + e.getMessage()
              + "; set " + ENV + " or pass --data-dir to a writable directory", e);
    }
    return root;
  }
}
