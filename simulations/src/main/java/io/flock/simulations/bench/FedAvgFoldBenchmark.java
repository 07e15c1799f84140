package io.flock.simulations.bench;

import io.flock.models.aggregation.StreamingFedAvg;
import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import io.flock.models.weights.ParamSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * FedAvg aggregation of {@code updates} updates of {@code params} float32 parameters: one round of
 * {@link StreamingFedAvg} (fresh aggregator, every update validated and folded, the mean taken)
 * beside a plain loop summing the same update data into a {@code float[]}, the speed the hardware
 * allows for reading the updates once. Both are reported as GB/s of update data ({@code updates *
 * params * 4} bytes per aggregation); the target is a fold at 70% or more of the plain loop.
 *
 * <p>The fork runs with {@code --add-modules jdk.incubator.vector}, so the fold is the SIMD kernel
 * ({@code fold kernel: vector (N-bit)} is printed at setup); without it, it is the scalar loop.
 *
 * <p>Sizes: 199,210 parameters is the MNIST 2NN of McMahan et al. (0.8 MB per update, the round
 * fits in cache); 11,689,512 is ResNet-18 (47 MB per update, memory-bound). Ten updates per round
 * is C = 0.1 of 100 nodes.
 *
 * <p>Run: {@code java -cp <simulations classpath> io.flock.simulations.bench.FedAvgFoldBenchmark
 * [JMH options]}; {@link #main} prints a GB/s table (median iteration) after JMH's own report.
 * {@code -p updates=100 -p params=199210} measures a larger round.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g", "--add-modules", "jdk.incubator.vector"})
public class FedAvgFoldBenchmark {

  /** Updates per round. */
  @Param({"10"})
  public int updates;

  /** Parameters per update. */
  @Param({"199210", "11689512"})
  public int params;

  private ModelLayout layout;
  private ModelWeights[] deltas;
  private float[][] raw;
  private long[] samples;
  private String[] nodeIds;

  /** Seeded Gaussian updates of update-like scale, and the same values as bare arrays. */
  @Setup(Level.Trial)
  public void setUp() {
    System.out.println("fold kernel: " + ModelWeights.foldKernel());
    Random random = new Random(42);
    layout = new ModelLayout(List.of(ParamSpec.of("w", params)));
    deltas = new ModelWeights[updates];
    raw = new float[updates][];
    samples = new long[updates];
    nodeIds = new String[updates];
    for (int k = 0; k < updates; k++) {
      float[] v = new float[params];
      for (int i = 0; i < params; i++) {
        v[i] = (float) (random.nextGaussian() * 0.01);
      }
      raw[k] = v;
      deltas[k] = ModelWeights.of(layout, v);
      samples[k] = 500 + 10L * k;
      nodeIds[k] = "node-" + k;
    }
  }

  /**
   * One FedAvg round: validate and fold every update, then take the weighted mean. The updates'
   * finiteness scan is cached on the immutable {@link ModelWeights} after the first invocation, as
   * in the running system, where the round manager validates each update before the aggregator
   * does; {@link #fedAvgColdValidation} includes the scan.
   */
  @Benchmark
  public ModelWeights fedAvg() {
    StreamingFedAvg fold = new StreamingFedAvg(layout);
    for (int k = 0; k < updates; k++) {
      fold.add(nodeIds[k], deltas[k], samples[k]);
    }
    return fold.result();
  }

  /**
   * The same round on updates that nobody validated yet: each is wrapped afresh (no copy), so the
   * aggregator's validation pays the finiteness scan that {@link #fedAvg} finds cached.
   */
  @Benchmark
  public ModelWeights fedAvgColdValidation() {
    StreamingFedAvg fold = new StreamingFedAvg(layout);
    for (int k = 0; k < updates; k++) {
      fold.add(nodeIds[k], ModelWeights.wrap(layout, raw[k]), samples[k]);
    }
    return fold.result();
  }

  /** The reference: {@code sum[i] += u[i]} over the same data, nothing else. */
  @Benchmark
  public float[] plainSum() {
    float[] sum = new float[params];
    for (float[] u : raw) {
      for (int i = 0; i < sum.length; i++) {
        sum[i] += u[i];
      }
    }
    return sum;
  }

  /** Runs the benchmark (JMH options may be given) and prints GB/s and the fold/plain ratio. */
  public static void main(String[] args) throws RunnerException, CommandLineOptionException {
    Options options =
        new OptionsBuilder()
            .parent(new CommandLineOptions(args))
            .include(FedAvgFoldBenchmark.class.getName() + "\\.")
            .build();
    Collection<RunResult> results = new Runner(options).run();
    List<String[]> rows = new ArrayList<>();
    for (RunResult r : results) {
      String name = r.getParams().getBenchmark();
      int n = Integer.parseInt(r.getParams().getParam("updates"));
      long p = Long.parseLong(r.getParams().getParam("params"));
      // The median iteration, not the mean: on a shared two-core machine a neighbour's burst
      // inflates single iterations tenfold.
      double ms = r.getPrimaryResult().getStatistics().getPercentile(50);
      double gbps = n * p * 4.0 / (ms / 1e3) / 1e9;
      rows.add(new String[] {name.substring(name.lastIndexOf('.') + 1), "" + n, "" + p,
          String.format(Locale.ROOT, "%.3f", ms), String.format(Locale.ROOT, "%.2f", gbps)});
    }
    System.out.println();
    System.out.println("benchmark  updates  params  median ms/round  GB/s");
    for (String[] row : rows) {
      System.out.println(String.join("  ", row));
    }
    for (String[] fold : rows) {
      if (fold[0].startsWith("fedAvg")) {
        for (String[] plain : rows) {
          if (plain[0].equals("plainSum") && plain[1].equals(fold[1]) && plain[2].equals(fold[2])) {
            double ratio = Double.parseDouble(fold[4]) / Double.parseDouble(plain[4]);
            System.out.printf(Locale.ROOT, "params=%s: %s at %.0f%% of the plain loop (target >= 70%%)%n",
                fold[2], fold[0], 100 * ratio);
          }
        }
      }
    }
  }
}
