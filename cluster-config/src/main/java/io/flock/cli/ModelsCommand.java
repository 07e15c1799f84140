package io.flock.cli;

import io.flock.models.zoo.ModelSpec;
import io.flock.models.zoo.ModelZoo;
import io.flock.models.zoo.ParameterCounts;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code flock models}: every model with its configuration, input, task and parameter counts,
 * computed by building it. "trainable" counts what gets gradients (the number papers quote),
 * "weights" what travels in the flat weight vector (trainable + BN running statistics), and the
 * float32 size is that vector's.
 */
@Command(name = "models", mixinStandardHelpOptions = true,
    description = "List the models with their configurations, true parameter counts and float32 sizes.")
final class ModelsCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    out.printf("%-9s %12s %12s %11s  %-18s %-15s %s%n",
        "model", "trainable", "weights", "float32", "input", "task", "configuration");
    for (ModelSpec m : ModelZoo.all()) {
      ParameterCounts counts = ParameterCounts.of(m);
      out.printf(Locale.ROOT, "%-9s %,12d %,12d %8.2f MB  %-18s %-15s %s%n",
          m.name(), counts.trainable(), counts.total(), counts.float32Bytes() / 1e6, input(m),
          m.task().name().toLowerCase(Locale.ROOT).replace('_', ' '), m.description());
    }
    out.flush();
    return 0;
  }

  /** E.g. {@code 1x28x28 float32} or {@code 256 int32 ids}. */
  private static String input(ModelSpec m) {
    String shape = LongStream.of(m.sampleShape().getShape())
        .mapToObj(Long::toString).collect(Collectors.joining("x"));
    return shape + " " + m.inputType().name().toLowerCase(Locale.ROOT) + (m.takesTokens() ? " ids" : "");
  }
}
