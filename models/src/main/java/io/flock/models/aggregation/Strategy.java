package io.flock.models.aggregation;

import io.flock.models.training.TrainConfig;
import io.flock.models.weights.ModelLayout;

/**
 * A federated learning algorithm as the coordinator sees it, in the style of Flower's {@code
 * Strategy}: how nodes train (client-side configuration), how a round's updates are combined
 * ({@link UpdateAggregator}, a fresh one per round), how the combined update moves the global
 * model ({@link ServerOptimizer}, one per run, owned and checkpointed by the coordinator), and how
 * federated evaluation is summarised ({@link EvaluationAggregator}).
 *
 * <p>A plain strategy is immutable and may be shared; all per-run state lives in the objects it
 * creates. Wrappers implement this interface around another strategy instead of forking it:
 * {@link DifferentialPrivacy#wrap} privatizes any strategy that {@linkplain #aggregatesByMean()
 * aggregates by a mean}, and is itself a stateful strategy for one run (its accountant), owned by
 * the coordinator. {@link Strategies#create} builds the named ones.
 *
 * <p>One round with a strategy {@code s}, global model {@code x} and optimizer {@code opt =
 * s.newServerOptimizer()} made once per run:
 *
 * <pre>
 *   if (s.vetoRound(shape) == null) {                            // e.g. a privacy budget
 *     TrainConfig cfg = s.configureTrain(base, shape);           // sent to the sampled nodes
 *     UpdateAggregator agg = s.newAggregator(x.layout(), shape); // Delta_k = w_k - x, n_k folded in
 *     x = opt.step(x, agg.result());                             // the next global model
 *     s.roundCompleted(shape, agg.count(), withinClipNorm);      // e.g. privacy accounting
 *   }
 * </pre>
 */
public interface Strategy {

  /** The strategy's name as the CLI spells it, e.g. {@code fedadam}. */
  String name();

  /** Name and every setting, for logs and run metadata. */
  String describe();

  /**
   * A fresh, empty aggregator for the updates of {@code layout} of a round of size {@code round}
   * (which most strategies ignore).
   */
  UpdateAggregator newAggregator(ModelLayout layout, RoundShape round);

  /** A fresh server optimizer for one run, with no state yet. */
  ServerOptimizer newServerOptimizer();

  /** The FedProx proximal coefficient nodes train with; 0 for every strategy but FedProx. */
  double proximalMu();

  /**
   * Whether the round keeps the update of a node that did less than the configured local work
   * (stopped by {@link TrainConfig#maxSteps()}, or reporting fewer steps than {@code E} epochs
   * need). FedProx does (Li et al. 2020, Sec. 3: "gamma-inexact" local solutions, partial work
   * from stragglers is aggregated, weighted by samples as usual); FedAvg as evaluated there drops
   * stragglers, so the other strategies report false and the round treats such a node as a
   * dropout.
   */
  boolean acceptsPartialWork();

  /**
   * Whether the combined update is a mean of the round's updates (sample-weighted or not) that the
   * server optimizer then applies, as in FedAvg, FedProx, FedAvgM and FedOpt. That is what
   * client-level differential privacy needs: DP-FedAvg (McMahan et al. 2018) replaces the mean by
   * a clipped, noised mean whose sensitivity is bounded, so {@link DifferentialPrivacy#wrap} wraps
   * only strategies that say true here. Robust rules (median, trimmed mean, Krum) say false, and so
   * does the default: a new strategy declares the property instead of being added to a list.
   */
  default boolean aggregatesByMean() {
    return false;
  }

  /**
   * The train config sent to the nodes of a round of size {@code round}: {@code base} with this
   * strategy's {@link #proximalMu()}. Flower's {@code configure_fit} counterpart.
   */
  default TrainConfig configureTrain(TrainConfig base, RoundShape round) {
    return base.withMu(proximalMu());
  }

  /**
   * Why a round of size {@code next} must not start, or null when it may (the default). A privacy
   * budget vetoes the round that could exceed it; the coordinator then finishes with this reason.
   */
  default String vetoRound(RoundShape next) {
    return null;
  }

  /**
   * Called once the combined update of a round of size {@code round} has moved the global model:
   * {@code contributing} updates were aggregated, {@code withinClipNorm} of them reported being
   * within the clip norm they were sent. Does nothing by default; differential privacy records the
   * released round with its accountant here.
   */
  default void roundCompleted(RoundShape round, int contributing, int withinClipNorm) {}

  /** Epsilon spent so far by this run; NaN (the default) when the strategy spends no privacy. */
  default double epsilonSpent() {
    return Double.NaN;
  }

  /**
   * The privacy state a checkpoint carries beyond the server optimizer's, or null (the default)
   * without differential privacy.
   */
  default PrivacyState privacyState() {
    return null;
  }

  /**
   * Continues from a checkpoint's privacy state ({@code null}: the checkpoint has none).
   *
   * @throws IllegalArgumentException when the state does not fit this strategy; by default, any
   *     state at all: the checkpoint was made with differential privacy and this run has none
   */
  default void restorePrivacyState(PrivacyState state) {
    if (state != null) {
      throw new IllegalArgumentException("the checkpoint was made with differential privacy, this run has none");
    }
  }

  /** A fresh evaluation aggregator for one round (example-weighted loss and accuracy). */
  default EvaluationAggregator newEvaluationAggregator() {
    return new EvaluationAggregator();
  }
}
