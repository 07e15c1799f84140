package io.flock.actors.coordinator;

import io.flock.actors.round.RoundSettings;
import io.flock.actors.round.RoundStats;
import io.flock.models.aggregation.DifferentialPrivacy;
import io.flock.models.aggregation.ServerOptimizer;
import io.flock.models.aggregation.Strategy;
import io.flock.models.aggregation.UpdateAggregator;
import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import java.util.function.Function;

/**
 * The coordinator's algorithm state, kept out of the actor: the strategy (client configuration,
 * aggregator per round), its server optimizer (state across rounds) and the optional
 * differential-privacy layer (clip norm, noise, accountant, budget). Pure and single-threaded: the
 * coordinator calls it from its own thread.
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
  private final DifferentialPrivacy dp;

  /**
   * @param base the settings every round starts from
   * @param strategy the federated algorithm
   * @param dp the privacy layer, or null for none
   */
  RoundPlanner(RoundSettings base, Strategy strategy, DifferentialPrivacy dp) {
    this.strategy = strategy;
    this.optimizer = strategy.newServerOptimizer();
    this.dp = dp;
    this.base = new RoundSettings(base.fraction(), base.minNodes(), base.minFraction(), base.deadline(),
        strategy.configureTrain(base.train()), strategy.acceptsPartialWork(), base.stragglerFraction());
  }

  /** The plan of a round with {@code available} registered nodes. */
  Plan plan(int available) {
    if (dp == null) {
      return new Plan(base, strategy::newAggregator);
    }
    int planned = Math.max(1, base.sampleSize(Math.max(available, 1)));
    return new Plan(base.withTrain(dp.configure(base.train(), base.quorum(planned))),
        layout -> dp.newAggregator(layout, planned));
  }

  /**
   * Why the next round must not start, or null when it may: under a privacy budget, the round
   * must fit even if only the quorum of its nodes contributes.
   */
  String vetoNextRound(int available) {
    if (dp == null || available == 0) {
      return null;
    }
    int planned = base.sampleSize(available);
    double q = (double) planned / available;
    if (dp.permitsRound(q)) {
      return null;
    }
    return String.format("privacy budget reached: epsilon %.4f spent of %.4f (delta %s); one more round would exceed it",
        dp.spent().epsilon(), dp.settings().budgetEpsilon(), dp.settings().delta());
  }

  /**
   * The next global model after a completed round; records the release with the accountant.
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
      if (dp != null) {
        dp.recordRound((double) stats.sampled() / stats.available(), stats.sampled(),
            base.quorum(stats.sampled()), stats.participants(), stats.withinClipNorm());
      }
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

  /** The privacy layer, or null without differential privacy. */
  DifferentialPrivacy privacy() {
    return dp;
  }

  /**
   * Continues from a checkpoint's optimizer and privacy state.
   *
   * @throws IllegalArgumentException when the checkpoint belongs to another strategy or privacy
   *     setting; nothing is changed then
   */
  void restore(Checkpoint checkpoint) {
    if (dp == null && checkpoint.accountant() != null) {
      throw new IllegalArgumentException("the checkpoint was made with differential privacy, this run has none");
    }
    var before = optimizer.snapshot();
    optimizer.restore(checkpoint.optimizer());
    if (dp != null) {
      try {
        dp.restore(checkpoint.accountant(), checkpoint.clipping());
      } catch (IllegalArgumentException e) {
        optimizer.restore(before);
        throw e;
      }
    }
  }

  /** Epsilon spent so far; NaN without differential privacy. */
  double epsilon() {
    return dp == null ? Double.NaN : dp.spent().epsilon();
  }

  /** The clip norm the next round uses; NaN without differential privacy. */
  double clipNorm() {
    return dp == null ? Double.NaN : dp.clipNorm();
  }
}
