package io.flock.actors.coordinator;

import io.flock.actors.round.RoundSettings;
import java.time.Duration;

/**
 * How a coordinator runs a training: how many rounds, when to start, when to stop early.
 *
 * @param rounds most rounds to run, >= 1
 * @param awaitNodes start the first round once this many nodes are registered, >= 1
 * @param startTimeout start anyway after this long, with whatever nodes are registered
 * @param round settings of every round
 * @param seed master seed: node sampling per round derives from it
 * @param targetLoss stop once the global model's loss is at or below it; 0 = no target
 * @param targetAccuracy stop once the global model's accuracy is at or above it; 0 = no target
 * @param maxConsecutiveFailures abort after this many failed rounds in a row, >= 1
 * @param federatedEvaluation after each completed round, also ask sampled nodes to evaluate the
 *     new global model on their own held-out data (Flower's federated evaluation)
 * @param allowlist when not null, only nodes that prove (by an ML-DSA-65 signature over a fresh
 *     challenge, {@link Admission}) that they hold a key on this list are sampled; null admits
 *     every node the receptionist lists (one JVM, a trusted network)
 */
public record CoordinatorSettings(
    int rounds,
    int awaitNodes,
    Duration startTimeout,
    RoundSettings round,
    long seed,
    double targetLoss,
    double targetAccuracy,
    int maxConsecutiveFailures,
    boolean federatedEvaluation,
    io.flock.privacy.identity.Allowlist allowlist) {

  /** Settings that admit every listed node. */
  public CoordinatorSettings(int rounds, int awaitNodes, Duration startTimeout, RoundSettings round, long seed,
      double targetLoss, double targetAccuracy, int maxConsecutiveFailures, boolean federatedEvaluation) {
    this(rounds, awaitNodes, startTimeout, round, seed, targetLoss, targetAccuracy, maxConsecutiveFailures,
        federatedEvaluation, null);
  }

  /** These settings, admitting only nodes with a key on {@code list}. */
  public CoordinatorSettings withAllowlist(io.flock.privacy.identity.Allowlist list) {
    return new CoordinatorSettings(rounds, awaitNodes, startTimeout, round, seed, targetLoss, targetAccuracy,
        maxConsecutiveFailures, federatedEvaluation, list);
  }

  /** Settings without federated evaluation. */
  public CoordinatorSettings(int rounds, int awaitNodes, Duration startTimeout, RoundSettings round, long seed,
      double targetLoss, double targetAccuracy, int maxConsecutiveFailures) {
    this(rounds, awaitNodes, startTimeout, round, seed, targetLoss, targetAccuracy, maxConsecutiveFailures, false,
        null);
  }

  /** Validates every field; the message names the field and the rule. */
  public CoordinatorSettings {
    if (rounds < 1) {
      throw new IllegalArgumentException("rounds must be >= 1, was " + rounds);
    }
    if (awaitNodes < 1) {
      throw new IllegalArgumentException("awaitNodes must be >= 1, was " + awaitNodes);
    }
    if (startTimeout == null || startTimeout.isNegative() || startTimeout.isZero()) {
      throw new IllegalArgumentException("startTimeout must be > 0, was " + startTimeout);
    }
    if (!(targetLoss >= 0) || Double.isInfinite(targetLoss)) {
      throw new IllegalArgumentException("targetLoss must be >= 0 (0 = none), was " + targetLoss);
    }
    if (!(targetAccuracy >= 0 && targetAccuracy <= 1)) {
      throw new IllegalArgumentException(
          "targetAccuracy must be in [0, 1] (0 = none), was " + targetAccuracy);
    }
    if (maxConsecutiveFailures < 1) {
      throw new IllegalArgumentException(
          "maxConsecutiveFailures must be >= 1, was " + maxConsecutiveFailures);
    }
  }
}
