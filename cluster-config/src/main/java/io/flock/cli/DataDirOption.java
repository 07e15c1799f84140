package io.flock.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --data-dir}: the data cache, shared by every command that reads data sets. */
final class DataDirOption {

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Data cache directory; must exist (default: $FLOCK_DATA_DIR or ~/.cache/flock/datasets).")
  Path dir;
}
