package io.flock.cli;

import io.flock.simulations.bench.RobustnessBench;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code flock bench robustness}: FedAvg versus robust aggregators under model poisoning. */
@Command(name = "robustness", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"MNIST 2NN, 100 nodes, C=0.1: a share of nodes send -10x their update;",
        "FedAvg, median, trimmed mean and Multi-Krum under attack beside clean FedAvg."})
final class RobustnessBenchCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--rounds", defaultValue = "30", description = "Rounds per run (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--attackers", defaultValue = "0.2", description = "Share of poisoning nodes (default: ${DEFAULT-VALUE}).")
  double attackers;

  @Option(names = "--seed", defaultValue = "42", description = "Master seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @CommandLine.Mixin DataDirOption data;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE.")
  Path json;

  @Override
  public Integer call() throws Exception {
    if (rounds < 1 || !(attackers >= 0 && attackers < 1)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--rounds must be >= 1 and --attackers in [0, 1), were " + rounds + " and " + attackers);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "model poisoning: %.0f%% of 100 nodes send -10x their update, %d rounds, seed %d%n",
        attackers * 100, rounds, seed);
    out.printf("%-34s %9s %9s %7s %8s%n", "setting", "test acc", "test loss", "rounds", "time");
    out.flush();
    List<RobustnessBench.Row> rows = RobustnessBench.run(rounds, attackers, seed, data.dir,
        SimulateCommand.actorConfig(), r -> {
          out.printf(Locale.ROOT, "%-34s %8.2f%% %9.4f %7d %7.1fs%n", r.setting(), r.testAccuracy() * 100,
              r.testLoss(), r.rounds(), r.seconds());
          out.flush();
        });
    BenchCommand.writeJson(json, rows, out);
    out.flush();
    return 0;
  }
}
