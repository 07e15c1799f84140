package io.flock.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.flock.models.data.DataDirectory;
import io.flock.models.data.DataSet;
import io.flock.models.data.DataSets;
import io.flock.models.training.Devices;
import io.flock.models.zoo.ModelZoo;
import io.flock.simulations.bench.DataBench;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code flock bench loader} and {@code flock bench steps}: data pipeline and training speed. */
final class DataBenchCommand {

  private DataBenchCommand() {}

  @Command(name = "loader", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"DataLoader throughput on MNIST with crop + flip + noise augmentation, batch 64,",
          "for loader workers x prefetch settings: loading alone, and feeding CNN training."})
  static final class Loader implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--train-samples", defaultValue = "3200",
        description = "Samples of CNN training per setting (default: ${DEFAULT-VALUE}).")
    int trainSamples;

    @CommandLine.Mixin DataDirOption data;

    @Override
    public Integer call() throws Exception {
      if (trainSamples < 256) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--train-samples must be >= 256, was " + trainSamples);
      }
      PrintWriter out = spec.commandLine().getOut();
      DataSet.Loaded mnist = DataSets.get(DataSets.MNIST).load(DataDirectory.resolve(data.dir), ModelZoo.CNN, 0, true);
      out.printf("%-8s %-9s %18s %22s%n", "workers", "prefetch", "load samples/s", "CNN train samples/s");
      out.flush();
      DataBench.loader(mnist.train(), 64, trainSamples, new int[][] {{0, 1}, {1, 1}, {1, 4}, {2, 2}, {2, 4}}, r -> {
        out.printf(Locale.ROOT, "%-8d %-9s %18.0f %22.1f%n", r.workers(), r.workers() == 0 ? "-" : r.prefetch(),
            r.loadSamplesPerSecond(), r.trainSamplesPerSecond());
        out.flush();
      });
      return 0;
    }
  }

  @Command(name = "steps", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Local SGD steps/s of every model on this CPU, or on GPU 0 with --gpu (random data",
          "of the model's input), after one warm-up task."})
  static final class Steps implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--batch-size", defaultValue = "10",
        description = "Batch size of the classifiers (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--token-batch-size", defaultValue = "4",
        description = "Batch size (windows) of the token models (default: ${DEFAULT-VALUE}).")
    int tokenBatch;

    @Option(names = "--steps", defaultValue = "5", description = "Timed steps per model (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--models", split = ",", description = "Models to time (default: all).")
    List<String> models;

    @Option(names = "--gpu", defaultValue = "false",
        description = "Train on GPU 0 when the engine sees one (README \"Training on a GPU\"; default: ${DEFAULT-VALUE}).")
    boolean gpu;

    @Override
    public Integer call() {
      if (batch < 1 || tokenBatch < 1 || steps < 1) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--batch-size, --token-batch-size and --steps must be >= 1");
      }
      List<String> names = models != null ? models
          : ModelZoo.all().stream().map(m -> m.name()).toList();
      PrintWriter out = spec.commandLine().getOut();
      Device device = Devices.select(gpu, 0);
      if (gpu && !device.isGpu()) {
        spec.commandLine().getErr().println("warning: --gpu given but the engine sees no GPU; timing the CPU");
      }
      out.printf("device: %s (%s %s)%n", device, Engine.getInstance().getEngineName(),
          Engine.getInstance().getVersion());
      out.printf("%-10s %6s %6s %10s %10s%n", "model", "batch", "steps", "steps/s", "samples/s");
      out.flush();
      DataBench.steps(names, batch, tokenBatch, steps, device, r -> {
        out.printf(Locale.ROOT, "%-10s %6d %6d %10.2f %10.1f%n", r.model(), r.batchSize(), r.steps(),
            r.stepsPerSecond(), r.samplesPerSecond());
        out.flush();
      });
      return 0;
    }
  }
}
