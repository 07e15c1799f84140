package io.flock.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.flock.actors.coordinator.RoundReport;
import io.flock.models.data.DataSets;
import io.flock.models.data.DataUnavailableException;
import io.flock.models.data.Partitioner;
import io.flock.models.aggregation.DifferentialPrivacy;
import io.flock.models.aggregation.Strategies;
import io.flock.models.aggregation.StrategyOptions;
import io.flock.models.zoo.ModelZoo;
import io.flock.privacy.dp.Conversion;
import io.flock.models.training.DataSettings;
import io.flock.simulations.DpConfig;
import io.flock.simulations.FederatedData;
import java.util.Locale;
import io.flock.simulations.Simulation;
import io.flock.simulations.SimulationConfig;
import io.flock.simulations.SimulationResult;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code flock simulate}: a whole federation in one JVM. */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Run federated training with simulated nodes in one JVM (real DJL training, real actors).",
      "Defaults: FedAvg on MNIST with the 2NN of McMahan et al. 2017, 100 nodes, C=0.1, E=1, B=10,"
          + " IID; stops at 97%% test accuracy or after --rounds."
    })
final class SimulateCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--nodes", defaultValue = "100", description = "Number of simulated nodes (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--fraction", defaultValue = "0.1",
      description = "Share of nodes sampled per round, C in (0, 1] (default: ${DEFAULT-VALUE}).")
  double fraction;

  @Option(names = "--rounds", defaultValue = "200", description = "Most rounds to run (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--local-epochs", defaultValue = "1", description = "Local epochs per round, E (default: ${DEFAULT-VALUE}).")
  int localEpochs;

  @Option(names = "--batch-size", defaultValue = "10", description = "Local minibatch size, B (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--lr", defaultValue = "0.1", description = "Local SGD learning rate (default: ${DEFAULT-VALUE}).")
  double learningRate;

  @Option(names = "--partition", defaultValue = "iid", paramLabel = "iid|shards|dirichlet|quantity|natural",
      description = "Data split: iid; shards (2 label shards per node, McMahan et al.'s non-IID); dirichlet "
          + "(per-class shares from Dir(alpha), Hsu et al. 2019); quantity (IID labels, node sizes from "
          + "Dir(alpha), Li et al. 2022); or natural (austen: one node per book, --nodes 6) "
          + "(default: ${DEFAULT-VALUE}).")
  String partition;

  @Option(names = "--dirichlet-alpha", defaultValue = "0.5",
      description = "Concentration of --partition dirichlet and quantity: small = few labels per node, or a few "
          + "large nodes and many small ones (default: ${DEFAULT-VALUE}).")
  double dirichletAlpha;

  @Option(names = "--seed", defaultValue = "42", description = "Master seed of the run (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--metrics-out", paramLabel = "FILE",
      description = "Write one JSON object per round (and a final one) to FILE (default: none).")
  Path metricsOut;

  @Option(names = "--model", defaultValue = ModelZoo.MLP_2NN,
      description = "Model: mlp-2nn, logistic, cnn, resnet18 (images); logistic, mlp-2nn (tabular, synthetic);"
          + " char-lm, gpt-mini, bert-tiny (text). `flock models` lists them (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--dataset", defaultValue = DataSets.MNIST, completionCandidates = DataSetNames.class,
      description = "Data set: ${COMPLETION-CANDIDATES}. `flock datasets` lists each with its source, the models"
          + " that fit it and how it is partitioned (default: ${DEFAULT-VALUE}).")
  String dataset;

  @Option(names = "--max-steps", defaultValue = "0",
      description = "Most local SGD steps per node and round; 0 = all --local-epochs (default: ${DEFAULT-VALUE}).")
  int maxSteps;

  @Option(names = "--test-limit", defaultValue = "0",
      description = "Evaluate the global model on at most N test samples spread over the test set; 0 = all"
          + " (default: ${DEFAULT-VALUE}).")
  int testLimit;

  @Option(names = "--loader-workers", defaultValue = "0",
      description = "Threads per trainer that assemble and augment batches ahead; 0 = on the training thread"
          + " (default: ${DEFAULT-VALUE}).")
  int loaderWorkers;

  @Option(names = "--prefetch", defaultValue = "2",
      description = "Batches in flight per loader worker (default: ${DEFAULT-VALUE}).")
  int prefetch;

  @Option(names = "--augment", defaultValue = "false",
      description = "Augment training data: images random crop (2 px padding), flip, noise 0.01; language"
          + " models token dropout and swaps 0.05 (default: ${DEFAULT-VALUE}).")
  boolean augment;

  @Option(names = "--target-accuracy", defaultValue = "0.97",
      description = "Stop when test accuracy reaches this; 0 = never (default: ${DEFAULT-VALUE}).")
  double targetAccuracy;

  @Option(names = "--target-loss", defaultValue = "0",
      description = "Stop when test loss falls to this; 0 = never (default: ${DEFAULT-VALUE}).")
  double targetLoss;

  @Option(names = "--min-nodes", defaultValue = "2",
      description = "Quorum: fewest valid updates for a round to count (default: ${DEFAULT-VALUE}).")
  int minNodes;

  @Option(names = "--min-fraction", defaultValue = "0.5",
      description = "Quorum: fewest valid updates as a share of sampled nodes (default: ${DEFAULT-VALUE}).")
  double minFraction;

  @Option(names = "--round-timeout", defaultValue = "300",
      description = "Round deadline in seconds; silent nodes become dropouts (default: ${DEFAULT-VALUE}).")
  long roundTimeoutSeconds;

  @Option(names = "--clip-norm", defaultValue = "0",
      description = "L2 bound on each node's update; 0 = off (default: ${DEFAULT-VALUE}).")
  double clipNorm;

  @Option(names = "--train-limit", defaultValue = "0",
      description = "Use only the first N training samples; 0 = all (default: ${DEFAULT-VALUE}).")
  int trainLimit;

  @CommandLine.Mixin DataDirOption data;

  @Option(names = "--gpu", defaultValue = "false",
      description = "Train on GPU 0 when one is present (default: ${DEFAULT-VALUE}).")
  boolean gpu;

  @Option(names = "--strategy", defaultValue = "fedavg",
      description = "fedavg, fedprox, fedavgm, fedadam, fedyogi, fedadagrad, median, trimmed-mean or krum "
          + "(default: ${DEFAULT-VALUE}).")
  String strategy;

  @Option(names = "--mu", description = "fedprox: proximal coefficient mu (default: 0.01).")
  Double mu;

  @Option(names = "--server-lr", description = "Server learning rate eta (default: 1.0; fedavgm 0.1; "
      + "fedadam, fedyogi, fedadagrad 0.01).")
  Double serverLr;

  @Option(names = "--beta1", description = "fedavgm momentum / first-moment decay (default: 0.9; fedadagrad 0).")
  Double beta1;

  @Option(names = "--beta2", description = "fedadam, fedyogi: second-moment decay (default: 0.99).")
  Double beta2;

  @Option(names = "--tau", description = "fedadam, fedyogi, fedadagrad: adaptivity tau (default: 1e-3).")
  Double tau;

  @Option(names = "--trim", description = "trimmed-mean: fraction cut at each end (default: 0.2).")
  Double trim;

  @Option(names = "--byzantine", description = "krum: Byzantine nodes tolerated f (default: 0).")
  Integer byzantine;

  @Option(names = "--multi-krum", description = "krum: updates averaged by Multi-Krum m; 1 = Krum (default: 1).")
  Integer multiKrum;

  @Option(names = "--stragglers", defaultValue = "0",
      description = "Simulation: share of sampled nodes that do only 1..E-1 local epochs (FedProx Sec. 5.2); "
          + "fedprox aggregates their partial work, the others drop them (default: ${DEFAULT-VALUE}).")
  double stragglers;

  @Option(names = "--attackers", defaultValue = "0",
      description = "Simulation: share of nodes that poison their updates (default: ${DEFAULT-VALUE}).")
  double attackers;

  @Option(names = "--attack-scale", defaultValue = "-10",
      description = "Simulation: attackers send this times their honest update (default: ${DEFAULT-VALUE}).")
  double attackScale;

  @Option(names = "--config", paramLabel = "FILE",
      description = "HOCON file layered over the built-in application.conf: Pekko settings and the "
          + "flock.privacy block (command-line options win) (default: none).")
  Path configFile;

  @Option(names = "--federated-eval", defaultValue = "false",
      description = "Also evaluate every new global model on the sampled nodes' own held-out data "
          + "(MNIST: every 10th local sample is held out) (default: ${DEFAULT-VALUE}).")
  boolean federatedEval;

  @Option(names = "--dp-epsilon", description = "Differential privacy budget epsilon: the noise is calibrated "
      + "for --rounds and training stops before epsilon would exceed it (default: off).")
  Double dpEpsilon;

  @Option(names = "--dp-delta", defaultValue = "1e-5", description = "Differential privacy delta (default: ${DEFAULT-VALUE}).")
  double dpDelta;

  @Option(names = "--dp-noise", description = "Noise multiplier z instead of calibrating it from --dp-epsilon.")
  Double dpNoise;

  @Option(names = "--dp-clip", defaultValue = "1.0",
      description = "L2 clip norm S of each update under DP (initial S with adaptive clipping) (default: ${DEFAULT-VALUE}).")
  double dpClip;

  @Option(names = "--dp-mode", defaultValue = "central",
      description = "central (the aggregator adds the noise) or distributed (each node adds its share) "
          + "(default: ${DEFAULT-VALUE}).")
  String dpMode;

  @Option(names = "--dp-adaptive-quantile",
      description = "Adaptive clipping (Andrew et al. 2021) tracking this unclipped quantile, e.g. 0.5 (default: off).")
  Double dpAdaptiveQuantile;

  @Option(names = "--dp-conversion", defaultValue = "improved",
      description = "RDP to (epsilon, delta): improved or classic (default: ${DEFAULT-VALUE}).")
  String dpConversion;

  @Option(names = "--secure-aggregation", defaultValue = "false",
      description = "Securely aggregate every round (Bonawitz et al. 2017, SecAgg+ graph of Bell et al. 2020):"
          + " the coordinator only ever sees the sum of the sampled nodes' updates. The combined update is"
          + " then the UNWEIGHTED mean of the surviving sampled updates, each clipped per coordinate to"
          + " [-c, c] (--secagg-clip), not FedAvg's sample-weighted mean; sample counts are still reported"
          + " in clear. Mean-based strategies only; not supported yet with differential privacy. In a"
          + " cluster the seed needs --allowlist and the members --identities (default: ${DEFAULT-VALUE}).")
  boolean secureAggregation;

  @Option(names = "--secagg-degree", defaultValue = "0",
      description = "Secure aggregation: neighbours k per node; 0 = the complete graph among the m sampled nodes"
          + " when m <= 16, else the even 2*ceil(log2 m) (default: ${DEFAULT-VALUE}).")
  int secaggDegree;

  @Option(names = "--secagg-threshold", defaultValue = "0",
      description = "Secure aggregation: shares t that recover a node's secrets, in (k/2, k]; 0 = k/2 + 1"
          + " (default: ${DEFAULT-VALUE}).")
  int secaggThreshold;

  @Option(names = "--secagg-clip", defaultValue = "1.0",
      description = "Secure aggregation: each coordinate of an update is clipped to [-c, c] before"
          + " quantization; coordinates beyond it are clipped (default: ${DEFAULT-VALUE}).")
  double secaggClip;

  @Override
  public Integer call() throws Exception {
    SimulationConfig config = config();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ObjectMapper json = new ObjectMapper();
    BufferedWriter metrics = openMetrics();
    Simulation.Prepared prepared;
    try {
      prepared = Simulation.prepare(config);
    } catch (DataUnavailableException e) {
      closeQuietly(metrics);
      err.println("error: " + e.getMessage());
      return 1;
    } catch (IllegalArgumentException e) {
      closeQuietly(metrics);
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    out.printf("flock simulate: %s on %s, %d nodes (%s), C=%s, E=%d, B=%d, lr=%s, seed=%d, strategy %s%n",
        config.model(), config.dataset(), config.nodes(), partition, fraction, localEpochs, batchSize,
        learningRate, seed, prepared.strategy().describe());
    String secure = RoundLines.secureAggregation(prepared);
    if (secure != null) {
      out.println(secure);
    }
    String privacy = RoundLines.privacy(prepared);
    if (privacy != null) {
      out.println(privacy);
    }
    if (gpu && ai.djl.engine.Engine.getInstance().getGpuCount() == 0) {
      err.println("warning: --gpu given but the engine sees no GPU (CPU natives on the class path,"
          + " or no CUDA driver); training on the CPU");
    }
    out.flush();
    SimulationResult result = Simulation.run(prepared, runConfig(), r -> {
      out.println(RoundLines.progress(r));
      out.flush();
      writeLine(metrics, json, RoundLines.json(r));
    });
    writeLine(metrics, json, RoundLines.json(result.finished(), result.elapsedMillis()));
    closeQuietly(metrics);
    var f = result.finished();
    out.printf("%s%s | %.1f s%n", RoundLines.finished(f),
        Double.isNaN(f.epsilon()) ? "" : String.format(" | epsilon %.4f at delta %s", f.epsilon(), dpDelta),
        result.elapsedMillis() / 1000.0);
    if (metricsOut != null) {
      out.println("metrics written to " + metricsOut);
    }
    out.flush();
    return f.aborted() ? 3 : 0;
  }

  SimulationConfig config() {
    Partitioner.Scheme scheme = switch (partition.toLowerCase(java.util.Locale.ROOT)) {
      case "iid" -> Partitioner.Scheme.IID;
      case "shards" -> Partitioner.Scheme.SHARDS;
      case "dirichlet" -> Partitioner.Scheme.DIRICHLET;
      case "quantity" -> Partitioner.Scheme.QUANTITY;
      case "natural" -> Partitioner.Scheme.NATURAL;
      default -> throw new CommandLine.ParameterException(spec.commandLine(),
          "--partition must be iid, shards, dirichlet, quantity or natural, was '" + partition + "'");
    };
    try {
      DataSets.checkPair(model, dataset);
      if (roundTimeoutSeconds <= 0) {
        throw new IllegalArgumentException("--round-timeout must be > 0 seconds, was " + roundTimeoutSeconds);
      }
      StrategyOptions options = new StrategyOptions(mu, serverLr, beta1, beta2, tau, trim, byzantine, multiKrum);
      Strategies.create(strategy, options); // validates the name and the options now
      return new SimulationConfig(model, dataset, nodes, fraction, rounds, localEpochs, batchSize, learningRate,
          scheme, seed, minNodes, minFraction, Duration.ofSeconds(roundTimeoutSeconds), targetLoss,
          targetAccuracy, data.dir, trainLimit, clipNorm, gpu, strategy, options, stragglers, dpConfig(),
          attackers, attackScale, federatedEval, dirichletAlpha, maxSteps, testLimit,
          new DataSettings(loaderWorkers, prefetch, augment), secureAggregationOptions());
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), optionNames(e.getMessage()));
    }
  }

  /** The secure-aggregation options, or null without --secure-aggregation (which its options need). */
  private io.flock.simulations.SecaggOptions secureAggregationOptions() {
    if (!secureAggregation) {
      var given = spec.commandLine().getParseResult();
      for (String option : java.util.List.of("--secagg-degree", "--secagg-threshold", "--secagg-clip")) {
        if (given != null && given.hasMatchedOption(option)) {
          throw new IllegalArgumentException(option + " needs --secure-aggregation");
        }
      }
      return null;
    }
    return new io.flock.simulations.SecaggOptions(secaggDegree, secaggThreshold, secaggClip);
  }

  /** The strategy layer names its settings as fields; the user typed options. */
  private static String optionNames(String message) {
    if (message == null) {
      return "invalid options";
    }
    String[][] names = {{"serverLr", "--server-lr"}, {"multiKrum", "--multi-krum"}, {"mu", "--mu"},
        {"beta1", "--beta1"}, {"beta2", "--beta2"}, {"tau", "--tau"}, {"trim", "--trim"},
        {"byzantine", "--byzantine"}};
    String out = message;
    for (String[] n : names) {
      out = out.replaceAll("(?<![-\\w])" + n[0] + "(?!\\w)", n[1]);
    }
    return out;
  }

  /**
   * Differential privacy from the command line, falling back to the {@code flock.privacy} block
   * of the configuration for every option not given.
   */
  private DpConfig dpConfig() {
    Config privacy = runConfig().getConfig("flock.privacy");
    boolean configOn = privacy.getBoolean("differential-privacy");
    if (dpEpsilon == null && dpNoise == null && !configOn) {
      if (dpAdaptiveQuantile != null) {
        throw new IllegalArgumentException("--dp-adaptive-quantile needs --dp-epsilon or --dp-noise");
      }
      return null;
    }
    if (dpEpsilon == null && dpNoise == null) {
      dpEpsilon = privacy.getDouble("epsilon");
      double z = privacy.getDouble("noise-multiplier");
      dpNoise = z > 0 ? z : null;
    }
    if (!given("--dp-delta")) {
      dpDelta = privacy.getDouble("delta");
    }
    if (!given("--dp-clip")) {
      dpClip = privacy.getDouble("clip-norm");
    }
    if (!given("--dp-mode")) {
      dpMode = privacy.getString("mode");
    }
    if (!given("--dp-conversion")) {
      dpConversion = privacy.getString("conversion");
    }
    if (dpAdaptiveQuantile == null && !"off".equals(privacy.getString("adaptive-quantile"))) {
      dpAdaptiveQuantile = privacy.getDouble("adaptive-quantile");
    }
    DifferentialPrivacy.Mode mode = switch (dpMode.toLowerCase(Locale.ROOT)) {
      case "central" -> DifferentialPrivacy.Mode.CENTRAL;
      case "distributed" -> DifferentialPrivacy.Mode.DISTRIBUTED;
      default -> throw new IllegalArgumentException("--dp-mode must be central or distributed, was '" + dpMode + "'");
    };
    Conversion conversion;
    try {
      conversion = Conversion.named(dpConversion);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--dp-conversion " + e.getMessage());
    }
    if (dpEpsilon != null && !(dpEpsilon > 0)) {
      throw new IllegalArgumentException("--dp-epsilon must be > 0, was " + dpEpsilon);
    }
    if (dpNoise != null && !(dpNoise > 0)) {
      throw new IllegalArgumentException("--dp-noise must be > 0, was " + dpNoise);
    }
    return new DpConfig(mode, dpEpsilon == null ? 0 : dpEpsilon, dpDelta, dpNoise == null ? 0 : dpNoise, dpClip,
        dpAdaptiveQuantile == null ? Double.NaN : dpAdaptiveQuantile, conversion);
  }

  private BufferedWriter openMetrics() throws IOException {
    if (metricsOut == null) {
      return null;
    }
    Path parent = metricsOut.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--metrics-out: directory " + parent + " does not exist");
    }
    return Files.newBufferedWriter(metricsOut);
  }

  private static void writeLine(BufferedWriter w, ObjectMapper json, Object value) {
    if (w == null) {
      return;
    }
    try {
      w.write(json.writeValueAsString(value));
      w.newLine();
      w.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write metrics: " + e.getMessage(), e);
    }
  }

  private static void closeQuietly(BufferedWriter w) {
    if (w != null) {
      try {
        w.close();
      } catch (IOException ignored) {
        // the lines written so far were flushed
      }
    }
  }

  private boolean given(String option) {
    return spec.commandLine().getParseResult().hasMatchedOption(option);
  }

  /** The run's configuration: {@code --config FILE} over the simulation overlay and application.conf. */
  private Config runConfig() {
    Config base = actorConfig();
    if (configFile == null) {
      return base;
    }
    if (!Files.isReadable(configFile)) {
      throw new IllegalArgumentException("--config: cannot read " + configFile);
    }
    try {
      return ConfigFactory.parseFile(configFile.toFile()).withFallback(base).resolve();
    } catch (com.typesafe.config.ConfigException e) {
      throw new IllegalArgumentException("--config " + configFile + " is not valid HOCON: " + e.getMessage(), e);
    }
  }

  /** application.conf with the simulation role overlay on top. */
  static Config actorConfig() {
    return ConfigFactory.parseResources("simulation.conf").withFallback(ConfigFactory.load()).resolve();
  }
}
