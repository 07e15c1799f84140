package io.flock.actors.coordinator;

import io.flock.actors.round.RoundSettings;
import io.flock.actors.round.RoundStats;
import io.flock.models.aggregation.PrivacyState;
import io.flock.models.aggregation.RoundShape;
import io.flock.models.aggregation.ServerOptimizer;
import io.flock.models.aggregation.Strategy;
import io.flock.models.aggregation.UpdateAggregator;
import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import java.util.function.Function;

/**
 * The coordinator's algorithm state, kept out of the actor: the strategy (client configuration,
 * aggregator per round, veto and accounting hooks; with differential privacy, the strategy is the
 * privacy wrapper and holds the accountant) and its server optimizer (state across rounds). Pure
 * and single-threaded: the coordinator calls it from its own thread.
 */
final class RoundPlanner {

  /**
   * What one round runs with.
   *
   * @param settings the round's settings, with the train config the nodes get
   * @param aggregatorFactory the round's aggregator
   */
  record Plan(RoundSettings settings, Function<ModelLayout, UpdateAggregator> aggregatorFactory) {}

  private final RoundSettings base;
  private final Strategy strategy;
  private final ServerOptimizer optimizer;

  /**
   * @param base the settings every round starts from
   * @param strategy the federated algorithm, possibly wrapped (differential privacy)
   */
  RoundPlanner(RoundSettings base, Strategy strategy) {
    this.strategy = strategy;
    this.optimizer = strategy.newServerOptimizer();
    this.base = new RoundSettings(base.fraction(), base.minNodes(), base.minFraction(), base.deadline(),
        base.train(), strategy.acceptsPartialWork(), base.stragglerFraction(), base.secureAggregation());
  }

  /** The plan of a round with {@code available} registered nodes. */
  Plan plan(int available) {
    int pool = Math.max(available, 1); // sampleSize(pool) >= 1: a round plans at least one node
    RoundShape shape = shape(pool, base.sampleSize(pool));
    return new Plan(base.withTrain(strategy.configureTrain(base.train(), shape)),
        layout -> strategy.newAggregator(layout, shape));
  }

  private RoundShape shape(int available, int sampled) {
    return new RoundShape(available, sampled, base.quorum(sampled));
  }

  /**
   * Why the next round must not start, or null when it may: the strategy's veto (under a privacy
   * budget, the round must fit even if only the quorum of its nodes contributes).
   */
  String vetoNextRound(int available) {
    if (available == 0) {
      return null;
    }
    return strategy.vetoRound(shape(available, base.sampleSize(available)));
  }

  /**
   * The next global model after a completed round; tells the strategy (which records the release
   * with the privacy accountant, if any).
   *
   * @throws IllegalArgumentException when the combined update or the next model has NaN or
   *     infinite values (e.g. poisoned updates overflowing a plain mean); nothing changes then: the
   *     optimizer state is restored and no privacy is spent
   */
  ModelWeights apply(ModelWeights global, ModelWeights combinedUpdate, RoundStats stats) {
    int bad = combinedUpdate.firstNonFinite();
    if (bad >= 0) {
      throw new IllegalArgumentException("the combined update has a non-finite value at index " + bad);
    }
    var before = optimizer.snapshot();
    try {
      ModelWeights next = optimizer.step(global, combinedUpdate);
      bad = next.firstNonFinite();
      if (bad >= 0) {
        throw new IllegalArgumentException("the next global model would have a non-finite value at index " + bad
            + " (huge or poisoned updates? a robust strategy or clipping bounds them)");
      }
      strategy.roundCompleted(shape(stats.available(), stats.sampled()), stats.participants(),
          stats.withinClipNorm());
      return next;
    } catch (RuntimeException e) {
      optimizer.restore(before);
      throw e;
    }
  }

  /** How the strategy combines the nodes' evaluations of the global model (Flower's aggregate_evaluate). */
  io.flock.models.aggregation.EvaluationAggregator newEvaluationAggregator() {
    return strategy.newEvaluationAggregator();
  }

  /** The server optimizer's state, for a checkpoint. */
  io.flock.models.aggregation.ServerOptimizerState optimizerState() {
    return optimizer.snapshot();
  }

  /** The strategy's privacy state, for a checkpoint; null without differential privacy. */
  PrivacyState privacyState() {
    return strategy.privacyState();
  }

  /**
   * Continues from a checkpoint's optimizer and privacy state.
   *
   * @throws IllegalArgumentException when the checkpoint belongs to another strategy or privacy
   *     setting; nothing is changed then
   */
  void restore(Checkpoint checkpoint) {
    var before = optimizer.snapshot();
    optimizer.restore(checkpoint.optimizer());
    try {
      strategy.restorePrivacyState(checkpoint.accountant() == null ? null
          : new PrivacyState(checkpoint.accountant(), checkpoint.clipping()));
    } catch (IllegalArgumentException e) {
      optimizer.restore(before);
      throw e;
    }
  }

  /** Epsilon spent so far; NaN without differential privacy. */
  double epsilon() {
    return strategy.epsilonSpent();
  }
}
