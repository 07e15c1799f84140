package io.flock.simulations;

import io.flock.models.aggregation.StrategyOptions;
import io.flock.models.data.DataSets;
import io.flock.models.data.Partitioner;
import io.flock.models.training.DataSettings;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything one in-JVM federated run needs. {@link #defaults()} is the FedAvg MNIST 2NN setting of
 * McMahan et al. 2017: 100 nodes, C = 0.1, E = 1, B = 10, IID. Change fields with {@link
 * #toBuilder()}.
 *
 * @param model model name from the zoo
 * @param dataset data set name ({@link io.flock.models.data.DataSets})
 * @param nodes number of simulated nodes, >= 1
 * @param fraction share of nodes sampled per round (C), in (0, 1]
 * @param rounds most rounds, >= 1
 * @param localEpochs local epochs per round (E), >= 1
 * @param batchSize local minibatch size (B), >= 1
 * @param learningRate local SGD step size, > 0
 * @param partition how the training data is split over nodes (MNIST)
 * @param seed master seed: initial model, partition, sampling, shuffling
 * @param minNodes quorum: fewest accepted updates per round
 * @param minFraction quorum: fewest accepted updates as a share of sampled nodes
 * @param roundTimeout hard deadline of a round
 * @param targetLoss stop when the test loss reaches it; 0 = none
 * @param targetAccuracy stop when the test accuracy reaches it; 0 = none
 * @param dataDir data cache directory; null = default ({@code $FLOCK_DATA_DIR} or
 *     ~/.cache/flock/datasets)
 * @param trainLimit use only the first this-many training samples; 0 = all
 * @param clipNorm L2 bound on each node's update without DP; 0 = none
 * @param gpuEnabled train on GPU 0 when one is present
 * @param strategy strategy name ({@code Strategies.NAMES})
 * @param strategyOptions the strategy's options
 * @param stragglers simulation: share of sampled nodes that do fewer local epochs, in [0, 1]
 * @param dp differential privacy, or null for none
 * @param attackers simulation: share of nodes (chosen with the seed) that poison their updates
 *     by multiplying them with {@code attackScale}, in [0, 1)
 * @param attackScale the poisoning factor of attackers, e.g. -10 (sign flip, boosted)
 * @param dirichletAlpha concentration of the Dirichlet label-skew partition, > 0
 * @param federatedEval also evaluate each new global model on the sampled nodes' own held-out data
 *     (MNIST: every 10th local sample is held out; synthetic: each device's test split)
 * @param maxSteps most local optimizer steps per node and round; 0 = all epochs
 * @param testLimit evaluate the global model on at most this many test samples, spread evenly
 *     over the test set; 0 = all
 * @param data the nodes' data loaders: workers, prefetch, augmentation
 * @param secureAggregation null, or secure aggregation of every round's updates: the coordinator
 *     sees only their sum, and the combined update is the unweighted mean of the surviving
 *     sampled updates, each clipped per coordinate (not FedAvg's sample-weighted mean)
 */
public record SimulationConfig(
    String model,
    String dataset,
    int nodes,
    double fraction,
    int rounds,
    int localEpochs,
    int batchSize,
    double learningRate,
    Partitioner.Scheme partition,
    long seed,
    int minNodes,
    double minFraction,
    Duration roundTimeout,
    double targetLoss,
    double targetAccuracy,
    Path dataDir,
    int trainLimit,
    double clipNorm,
    boolean gpuEnabled,
    String strategy,
    StrategyOptions strategyOptions,
    double stragglers,
    DpConfig dp,
    double attackers,
    double attackScale,
    boolean federatedEval,
    double dirichletAlpha,
    int maxSteps,
    int testLimit,
    DataSettings data,
    SecaggOptions secureAggregation) {

  /** A config without secure aggregation. */
  public SimulationConfig(String model, String dataset, int nodes, double fraction, int rounds, int localEpochs,
      int batchSize, double learningRate, Partitioner.Scheme partition, long seed, int minNodes, double minFraction,
      Duration roundTimeout, double targetLoss, double targetAccuracy, Path dataDir, int trainLimit, double clipNorm,
      boolean gpuEnabled, String strategy, StrategyOptions strategyOptions, double stragglers, DpConfig dp,
      double attackers, double attackScale, boolean federatedEval, double dirichletAlpha, int maxSteps,
      int testLimit, DataSettings data) {
    this(model, dataset, nodes, fraction, rounds, localEpochs, batchSize, learningRate, partition, seed, minNodes,
        minFraction, roundTimeout, targetLoss, targetAccuracy, dataDir, trainLimit, clipNorm, gpuEnabled, strategy,
        strategyOptions, stragglers, dp, attackers, attackScale, federatedEval, dirichletAlpha, maxSteps, testLimit,
        data, null);
  }

  /** The defaults the CLI documents. */
  public static SimulationConfig defaults() {
    return new SimulationConfig(
        "mlp-2nn", DataSets.MNIST, 100, 0.1, 200, 1, 10, 0.1, Partitioner.Scheme.IID, 42L, 2, 0.5,
        Duration.ofMinutes(5), 0.0, 0.97, null, 0, 0.0, false, "fedavg", StrategyOptions.defaults(), 0, null, 0, -10, false, 0.5, 0, 0, DataSettings.DEFAULT,
        null);
  }

  /** Validates every field; the message names the option and the rule. */
  public SimulationConfig {
    require(nodes >= 1, "--nodes must be >= 1, was " + nodes);
    require(fraction > 0 && fraction <= 1, "--fraction must be in (0, 1], was " + fraction);
    require(rounds >= 1, "--rounds must be >= 1, was " + rounds);
    require(localEpochs >= 1, "--local-epochs must be >= 1, was " + localEpochs);
    require(batchSize >= 1, "--batch-size must be >= 1, was " + batchSize);
    require(learningRate > 0 && Double.isFinite(learningRate), "--lr must be > 0 and finite, was " + learningRate);
    require(minNodes >= 1, "--min-nodes must be >= 1, was " + minNodes);
    require(minNodes <= nodes, "--min-nodes (" + minNodes + ") cannot exceed --nodes (" + nodes + ")");
    require(minFraction >= 0 && minFraction <= 1, "--min-fraction must be in [0, 1], was " + minFraction);
    require(roundTimeout != null && !roundTimeout.isNegative() && !roundTimeout.isZero(),
        "--round-timeout must be > 0, was " + roundTimeout);
    require(targetLoss >= 0 && Double.isFinite(targetLoss), "--target-loss must be >= 0 (0 = none), was " + targetLoss);
    require(targetAccuracy >= 0 && targetAccuracy <= 1,
        "--target-accuracy must be in [0, 1] (0 = none), was " + targetAccuracy);
    require(trainLimit >= 0, "--train-limit must be >= 0 (0 = all), was " + trainLimit);
    require(clipNorm >= 0 && Double.isFinite(clipNorm), "--clip-norm must be >= 0 (0 = off), was " + clipNorm);
    require(partition != null, "--partition is required");
    require(strategy != null && strategyOptions != null, "--strategy is required");
    require(stragglers >= 0 && stragglers <= 1, "--stragglers must be in [0, 1], was " + stragglers);
    require(stragglers == 0 || localEpochs >= 2,
        "--stragglers needs --local-epochs >= 2 (a straggler does 1 to E-1 epochs), was " + localEpochs);
    require(dirichletAlpha > 0 && Double.isFinite(dirichletAlpha),
        "--dirichlet-alpha must be > 0, was " + dirichletAlpha);
    require(attackers >= 0 && attackers < 1, "--attackers must be in [0, 1), was " + attackers);
    require(Double.isFinite(attackScale), "--attack-scale must be finite, was " + attackScale);
    require(dp == null || clipNorm == 0, "--clip-norm and differential privacy's --dp-clip cannot both be set");
    require(maxSteps >= 0, "--max-steps must be >= 0 (0 = all epochs), was " + maxSteps);
    require(testLimit >= 0, "--test-limit must be >= 0 (0 = all), was " + testLimit);
    require(data != null, "data loader settings are required");
    if (secureAggregation != null) {
      checkSecureAggregation(secureAggregation, strategy, strategyOptions, dp, nodes, fraction, minNodes);
    }
  }

  /**
   * What secure aggregation refuses: rules that need every update, differential privacy (not
   * designed with it yet), and rounds of fewer than 2 nodes; a degree and threshold that do not
   * fit the planned sample size.
   */
  private static void checkSecureAggregation(SecaggOptions s, String strategy, StrategyOptions options,
      DpConfig dp, int nodes, double fraction, int minNodes) {
    require(dp == null, "--secure-aggregation with differential privacy (--dp-epsilon/--dp-noise) is not"
        + " supported yet: distributed DP under secure aggregation is not designed yet; use one or the other");
    require(io.flock.models.aggregation.Strategies.create(strategy, options).aggregatesByMean(),
        "--secure-aggregation is not supported with --strategy " + strategy + ": it needs every node's update,"
            + " and secure aggregation shows the coordinator only their sum; use one of "
            + String.join(", ", io.flock.models.aggregation.Strategies.meanBased()));
    int m = io.flock.actors.round.RoundSettings.sampleSize(nodes, fraction, minNodes);
    require(m >= 2, "--secure-aggregation needs at least 2 sampled nodes per round, --nodes " + nodes
        + " and --fraction " + fraction + " sample " + m);
    var planned = new io.flock.actors.round.SecureAggregation(s.degree(), s.threshold(), s.clip(),
        Duration.ofSeconds(1), java.util.Map.of());
    int k = planned.degreeFor(m);
    require(k == m - 1 || (k >= 2 && k % 2 == 0), "--secagg-degree must be even and >= 2 below the "
        + (m - 1) + " of the complete graph among the " + m + " sampled nodes, was " + s.degree());
    int t = planned.thresholdFor(k);
    require(t > k / 2 && t <= k, "--secagg-threshold must be in (k/2, k] = [" + (k / 2 + 1) + ", " + k
        + "] for degree k = " + k + ", was " + t);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** A builder starting from this config. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Changes a few fields of a config; {@link #build()} validates the result. */
  public static final class Builder {
    private String model;
    private String dataset;
    private int nodes;
    private double fraction;
    private int rounds;
    private int localEpochs;
    private int batchSize;
    private double learningRate;
    private Partitioner.Scheme partition;
    private long seed;
    private int minNodes;
    private double minFraction;
    private Duration roundTimeout;
    private double targetLoss;
    private double targetAccuracy;
    private Path dataDir;
    private int trainLimit;
    private double clipNorm;
    private boolean gpuEnabled;
    private String strategy;
    private StrategyOptions strategyOptions;
    private double stragglers;
    private DpConfig dp;
    private double attackers;
    private double attackScale;
    private boolean federatedEval;
    private double dirichletAlpha;
    private int maxSteps;
    private int testLimit;
    private DataSettings data;
    private SecaggOptions secureAggregation;

    private Builder(SimulationConfig c) {
      model = c.model; dataset = c.dataset; nodes = c.nodes; fraction = c.fraction; rounds = c.rounds;
      localEpochs = c.localEpochs; batchSize = c.batchSize; learningRate = c.learningRate;
      partition = c.partition; seed = c.seed; minNodes = c.minNodes; minFraction = c.minFraction;
      roundTimeout = c.roundTimeout; targetLoss = c.targetLoss; targetAccuracy = c.targetAccuracy;
      dataDir = c.dataDir; trainLimit = c.trainLimit; clipNorm = c.clipNorm; gpuEnabled = c.gpuEnabled;
      strategy = c.strategy; strategyOptions = c.strategyOptions; stragglers = c.stragglers; dp = c.dp;
      attackers = c.attackers; attackScale = c.attackScale; federatedEval = c.federatedEval;
      dirichletAlpha = c.dirichletAlpha; maxSteps = c.maxSteps; testLimit = c.testLimit; data = c.data;
      secureAggregation = c.secureAggregation;
    }

    public Builder model(String v) { model = v; return this; }
    public Builder dataset(String v) { dataset = v; return this; }
    public Builder nodes(int v) { nodes = v; return this; }
    public Builder fraction(double v) { fraction = v; return this; }
    public Builder rounds(int v) { rounds = v; return this; }
    public Builder localEpochs(int v) { localEpochs = v; return this; }
    public Builder batchSize(int v) { batchSize = v; return this; }
    public Builder learningRate(double v) { learningRate = v; return this; }
    public Builder partition(Partitioner.Scheme v) { partition = v; return this; }
    public Builder seed(long v) { seed = v; return this; }
    public Builder minNodes(int v) { minNodes = v; return this; }
    public Builder minFraction(double v) { minFraction = v; return this; }
    public Builder roundTimeout(Duration v) { roundTimeout = v; return this; }
    public Builder targetLoss(double v) { targetLoss = v; return this; }
    public Builder targetAccuracy(double v) { targetAccuracy = v; return this; }
    public Builder dataDir(Path v) { dataDir = v; return this; }
    public Builder trainLimit(int v) { trainLimit = v; return this; }
    public Builder clipNorm(double v) { clipNorm = v; return this; }
    public Builder gpuEnabled(boolean v) { gpuEnabled = v; return this; }
    public Builder strategy(String v) { strategy = v; return this; }
    public Builder strategyOptions(StrategyOptions v) { strategyOptions = v; return this; }
    public Builder stragglers(double v) { stragglers = v; return this; }
    public Builder dp(DpConfig v) { dp = v; return this; }
    public Builder attackers(double v) { attackers = v; return this; }
    public Builder attackScale(double v) { attackScale = v; return this; }
    public Builder federatedEval(boolean v) { federatedEval = v; return this; }
    public Builder dirichletAlpha(double v) { dirichletAlpha = v; return this; }
    public Builder maxSteps(int v) { maxSteps = v; return this; }
    public Builder testLimit(int v) { testLimit = v; return this; }
    public Builder data(DataSettings v) { data = v; return this; }
    public Builder secureAggregation(SecaggOptions v) { secureAggregation = v; return this; }

    /** The validated config. */
    public SimulationConfig build() {
      return new SimulationConfig(model, dataset, nodes, fraction, rounds, localEpochs, batchSize,
          learningRate, partition, seed, minNodes, minFraction, roundTimeout, targetLoss, targetAccuracy,
          dataDir, trainLimit, clipNorm, gpuEnabled, strategy, strategyOptions, stragglers, dp, attackers, attackScale, federatedEval, dirichletAlpha,
          maxSteps, testLimit, data, secureAggregation);
    }
  }
}
