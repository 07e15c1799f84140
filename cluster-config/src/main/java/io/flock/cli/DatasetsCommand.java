package io.flock.cli;

import io.flock.models.data.DataDirectory;
import io.flock.models.data.DataSet;
import io.flock.models.data.DataSets;
import io.flock.models.data.DataUnavailableException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code flock datasets [fetch NAME]}: lists the registered data sets ({@link DataSets}) with their
 * cache status, source and the models that fit them, or fetches one.
 */
@Command(name = "datasets", mixinStandardHelpOptions = true,
    description = "List data sets and whether they are cached; `datasets fetch NAME` obtains one.")
final class DatasetsCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin DataDirOption data;

  @Parameters(index = "0", arity = "0..1", paramLabel = "ACTION", description = "`fetch` to obtain a data set.")
  String action;

  @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", completionCandidates = DataSetNames.class,
      description = "Data set name: ${COMPLETION-CANDIDATES}.")
  String name;

  @Override
  public Integer call() throws DataUnavailableException {
    PrintWriter out = spec.commandLine().getOut();
    Path root = DataDirectory.resolve(data.dir);
    if (action == null) {
      list(out, root);
      return 0;
    }
    if (!"fetch".equals(action)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "unknown action '" + action + "': use `flock datasets` or `flock datasets fetch NAME` (" + known() + ")");
    }
    if (name == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "fetch needs a data set name: " + known());
    }
    DataSet d;
    try {
      d = DataSets.get(name);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    if (d.source().generated()) {
      out.println(name + " is generated from the run's seed: nothing to fetch");
    } else if (d.isCached(root)) {
      out.println(name + " is already cached in " + d.directory(root));
    } else {
      d.fetch(root);
      out.println(name + " fetched into " + d.directory(root));
    }
    out.flush();
    return 0;
  }

  /** One row per data set, and under it what it is and the models that fit it. */
  private static void list(PrintWriter out, Path root) {
    String row = "%-14s %-9s %s%n";
    out.printf(row, "name", "status", "source");
    for (DataSet d : DataSets.all()) {
      if (d.source().generated()) {
        out.printf(row, d.name(), "generated", d.source());
      } else {
        out.printf(row, d.name(), d.isCached(root) ? "cached" : "missing",
            d.source() + ", cached in " + d.directory(root));
      }
      out.printf(row, "", "", d.description() + "; models: " + String.join(", ", d.models()));
    }
    out.flush();
  }

  private static String known() {
    return String.join(", ", DataSets.names());
  }
}
