package io.flock.actors.round;

import io.flock.actors.protocol.CborSerializable;
import io.flock.models.training.TrainConfig;
import java.time.Duration;

/**
 * How one round is run.
 *
 * @param fraction C of McMahan et al. 2017: the share of available nodes sampled per round,
 *     in (0, 1]; at least one node (and at least {@code minNodes}) is sampled
 * @param minNodes quorum: fewest accepted updates for the round to count, >= 1
 * @param minFraction quorum: fewest accepted updates as a share of the sampled nodes, in [0, 1]
 * @param deadline hard deadline of the round; nodes still silent then are dropouts
 * @param train local training settings sent to every node
 * @param acceptsPartialWork whether an update from a node that did less than the asked local work
 *     is aggregated (FedProx) or is a STRAGGLER dropout (FedAvg as Li et al. 2020 evaluate it)
 * @param stragglerFraction simulation only: share of the sampled nodes told to do fewer local
 *     epochs, uniform in [1, E - 1] (Li et al. 2020, Sec. 5.2); 0 = none, in [0, 1]
 * @param secureAggregation null, or how the round securely aggregates (then the round manager
 *     sees only the sum of the updates, and the combined update is their unweighted mean)
 */
public record RoundSettings(
    double fraction,
    int minNodes,
    double minFraction,
    Duration deadline,
    TrainConfig train,
    boolean acceptsPartialWork,
    double stragglerFraction,
    SecureAggregation secureAggregation)
    implements CborSerializable {

  /** Settings without secure aggregation. */
  public RoundSettings(double fraction, int minNodes, double minFraction, Duration deadline, TrainConfig train,
      boolean acceptsPartialWork, double stragglerFraction) {
    this(fraction, minNodes, minFraction, deadline, train, acceptsPartialWork, stragglerFraction, null);
  }

  /** Settings that accept partial work and simulate no stragglers. */
  public RoundSettings(double fraction, int minNodes, double minFraction, Duration deadline, TrainConfig train) {
    this(fraction, minNodes, minFraction, deadline, train, true, 0.0);
  }

  /** Validates every field; the message names the field and the rule. */
  public RoundSettings {
    if (!(fraction > 0 && fraction <= 1)) {
      throw new IllegalArgumentException("fraction must be in (0, 1], was " + fraction);
    }
    if (minNodes < 1) {
      throw new IllegalArgumentException("minNodes must be >= 1, was " + minNodes);
    }
    if (!(minFraction >= 0 && minFraction <= 1)) {
      throw new IllegalArgumentException("minFraction must be in [0, 1], was " + minFraction);
    }
    if (deadline == null || deadline.isZero() || deadline.isNegative()) {
      throw new IllegalArgumentException("deadline must be > 0, was " + deadline);
    }
    if (train == null) {
      throw new IllegalArgumentException("train settings are required");
    }
    if (!(stragglerFraction >= 0 && stragglerFraction <= 1)) {
      throw new IllegalArgumentException("stragglerFraction must be in [0, 1], was " + stragglerFraction);
    }
  }

  /** These settings with {@code train} sent to the nodes. */
  public RoundSettings withTrain(TrainConfig train) {
    return new RoundSettings(fraction, minNodes, minFraction, deadline, train, acceptsPartialWork, stragglerFraction,
        secureAggregation);
  }

  /** These settings with {@code secagg} (null: none). */
  public RoundSettings withSecureAggregation(SecureAggregation secagg) {
    return new RoundSettings(fraction, minNodes, minFraction, deadline, train, acceptsPartialWork, stragglerFraction,
        secagg);
  }

  /** Nodes to sample from {@code available}: {@code max(C*K, 1, minNodes)}, capped at K. */
  public int sampleSize(int available) {
    return sampleSize(available, fraction, minNodes);
  }

  /**
   * The nodes a round samples out of {@code available} with {@code fraction} and {@code minNodes}
   * (what {@link #sampleSize(int)} answers, for checks made before the settings exist).
   */
  public static int sampleSize(int available, double fraction, int minNodes) {
    int k = (int) Math.max(1, Math.round(fraction * available));
    return Math.min(available, Math.max(k, minNodes));
  }

  /** Accepted updates needed when {@code sampled} nodes were asked. */
  public int quorum(int sampled) {
    return Math.max(minNodes, (int) Math.ceil(minFraction * sampled - 1e-9));
  }
}
