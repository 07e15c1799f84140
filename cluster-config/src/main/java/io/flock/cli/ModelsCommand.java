package io.flock.cli;

import io.flock.models.training.ModelInitializer;
import io.flock.models.weights.ModelWeights;
import io.flock.models.zoo.ModelSpec;
import io.flock.models.zoo.ModelZoo;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code flock models}: every model with its parameter count, computed by building it. */
@Command(name = "models", mixinStandardHelpOptions = true,
    description = "List the models with their true parameter counts and float32 sizes.")
final class ModelsCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    out.printf("%-10s %12s %10s  %s%n", "model", "parameters", "float32", "description");
    for (ModelSpec m : ModelZoo.all()) {
      ModelWeights w = ModelInitializer.initialWeights(m, 0);
      out.printf("%-10s %,12d %8.2f MB  %s%n", m.name(), w.size(), w.size() * 4 / 1e6, m.description());
    }
    out.flush();
    return 0;
  }
}
