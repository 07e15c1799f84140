package io.flock.cli;

import io.flock.simulations.bench.WireBench;
import io.flock.simulations.bench.WirePeer.Design;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flock bench wire}: model weights between two JVMs on 127.0.0.1 the ways Flock can move
 * them (side channel, StreamRef over Artery TCP, Artery's large-message channel), against a plain
 * socket between the same JVMs.
 */
@Command(name = "wire", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Starts a second JVM on 127.0.0.1 and moves ModelWeights to it the way each design says,",
        "then the same bytes over a plain socket; MB/s of both (median of the reps) and the ratio.",
        "The Flock time includes the Artery message, encoding, reassembly and the checks on arrival."})
final class WireBenchCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--params", defaultValue = "11689512,45000000", split = ",",
      description = "Model sizes in parameters (default: ${DEFAULT-VALUE}: ResNet-18, GPT-Mini size).")
  List<Integer> params;

  @Option(names = "--reps", defaultValue = "5", description = "Timed transfers per size and kind (default: ${DEFAULT-VALUE}).")
  int reps;

  @Option(names = "--designs", defaultValue = "socket,chunked,large-frame", split = ",",
      description = "socket (Flock's default: the side channel), chunked (StreamRef over Artery, side channel off), "
          + "large-frame (Artery's large-message channel) (default: ${DEFAULT-VALUE}).")
  List<String> designs;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE.")
  Path json;

  @Override
  public Integer call() throws Exception {
    if (reps < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--reps must be >= 1, was " + reps);
    }
    for (int n : params) {
      if (n < 1 || n > 500_000_000) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--params values must be in [1, 500000000], was " + n);
      }
    }
    List<Design> chosen = new java.util.ArrayList<>();
    for (String d : designs) {
      try {
        chosen.add(Design.valueOf(d.trim().toUpperCase(Locale.ROOT).replace('-', '_')));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--designs: unknown design '" + d + "'; use socket, chunked and/or large-frame");
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    out.println(WireBench.header());
    out.flush();
    List<WireBench.Row> rows = WireBench.run(params, reps, chosen, line -> {
      err.println(line);
      err.flush();
    }, r -> {
      out.println(WireBench.format(r));
      out.flush();
    });
    BenchCommand.writeJson(json, rows, out);
    out.flush();
    return 0;
  }
}
