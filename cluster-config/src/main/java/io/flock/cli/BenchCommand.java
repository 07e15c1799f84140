package io.flock.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.flock.simulations.bench.FedProxSyntheticBench;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code flock bench NAME}: reproductions and measurements that take minutes, not tests. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks that reproduce papers' experiments and measure the data pipeline, training and"
        + " transfer speed.",
    subcommands = {BenchCommand.FedProxSynthetic.class, RobustnessBenchCommand.class,
        DataBenchCommand.Loader.class, DataBenchCommand.Steps.class, WireBenchCommand.class,
        SecaggBenchCommand.class})
final class BenchCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "missing benchmark: `flock bench fedprox-synthetic`, `robustness`, `loader`, `steps`, `wire` or `secagg`");
  }

  /** Writes {@code value} as indented JSON to {@code file} when one was asked for, and says so. */
  static void writeJson(Path file, Object value, java.io.PrintWriter out) throws java.io.IOException {
    if (file != null) {
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), value);
      out.println("results written to " + file);
    }
  }

  @Command(name = "fedprox-synthetic", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Li et al. 2020 (FedProx), Synthetic(1,1): 30 devices, 10 per round, lr 0.01, batch 10,",
          "20 local epochs; FedAvg, FedProx mu=0 and mu=1 at each straggler level."})
  static final class FedProxSynthetic implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--rounds", defaultValue = "200", description = "Rounds per run (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of data, sampling and stragglers (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--stragglers", defaultValue = "0,0.5,0.9", split = ",",
        description = "Straggler shares to run (default: ${DEFAULT-VALUE}).")
    List<Double> stragglers;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE.")
    Path json;

    @Override
    public Integer call() throws Exception {
      if (rounds < 1) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--rounds must be >= 1, was " + rounds);
      }
      for (double s : stragglers) {
        if (!(s >= 0 && s <= 1)) {
          throw new CommandLine.ParameterException(spec.commandLine(), "--stragglers values must be in [0, 1], was " + s);
        }
      }
      PrintWriter out = spec.commandLine().getOut();
      out.printf("FedProx Synthetic(1,1), %d rounds, seed %d%n", rounds, seed);
      out.printf("%-10s %-16s %10s %9s %7s %8s%n", "stragglers", "algorithm", "train loss", "test acc", "rounds", "time");
      out.flush();
      List<FedProxSyntheticBench.Row> rows = FedProxSyntheticBench.run(stragglers, rounds, seed,
          SimulateCommand.actorConfig(), r -> {
            out.printf(Locale.ROOT, "%-10s %-16s %10.4f %8.2f%% %7d %7.1fs%n",
                Math.round(r.stragglers() * 100) + "%", r.algorithm(), r.trainLoss(), r.testAccuracy() * 100,
                r.rounds(), r.seconds());
            out.flush();
          });
      writeJson(json, rows, out);
      out.flush();
      return 0;
    }
  }
}
