package io.flock.simulations;

import io.flock.models.data.Partitioner;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything one in-JVM federated run needs. Defaults ({@link #defaults()}) are the FedAvg MNIST
 * 2NN setting of McMahan et al. 2017: 100 nodes, C = 0.1, E = 1, B = 10, IID.
 *
 * @param model model name from the zoo
 * @param dataset data set name ({@code mnist})
 * @param nodes number of simulated nodes, >= 1
 * @param fraction share of nodes sampled per round (C), in (0, 1]
 * @param rounds most rounds, >= 1
 * @param localEpochs local epochs per round (E), >= 1
 * @param batchSize local minibatch size (B), >= 1
 * @param learningRate local SGD step size, > 0
 * @param partition how the training data is split over nodes
 * @param seed master seed: initial model, partition, sampling, shuffling
 * @param minNodes quorum: fewest accepted updates per round
 * @param minFraction quorum: fewest accepted updates as a share of sampled nodes
 * @param roundTimeout hard deadline of a round
 * @param targetLoss stop when the test loss reaches it; 0 = none
 * @param targetAccuracy stop when the test accuracy reaches it; 0 = none
 * @param dataDir data cache directory; null = default ({@code $FLOCK_DATA_DIR} or
 *     ~/.cache/flock/datasets)
 * @param trainLimit use only the first this-many training samples; 0 = all
 * @param clipNorm L2 bound on each node's update; 0 = none
 * @param gpuEnabled train on GPU 0 when one is present
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
    boolean gpuEnabled) {

  /** The defaults the CLI documents. */
  public static SimulationConfig defaults() {
    return new SimulationConfig(
        "mlp-2nn", "mnist", 100, 0.1, 200, 1, 10, 0.1, Partitioner.Scheme.IID, 42L, 2, 0.5,
        Duration.ofMinutes(5), 0.0, 0.97, null, 0, 0.0, false);
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
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
