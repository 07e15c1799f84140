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
 * <p>A strategy itself is immutable and may be shared; all per-run state lives in the objects it
 * creates. Wrappers (differential privacy, secure aggregation) implement this interface around
 * another strategy instead of forking it. {@link Strategies#create} builds the named ones.
 *
 * <p>One round with a strategy {@code s}, global model {@code x} and optimizer {@code opt =
 * s.newServerOptimizer()} made once per run:
 *
 * <pre>
 *   TrainConfig cfg = s.configureTrain(base);             // sent to the sampled nodes
 *   UpdateAggregator agg = s.newAggregator(x.layout());   // Delta_k = w_k - x, n_k folded in
 *   x = opt.step(x, agg.result());                        // the next global model
 * </pre>
 */
public interface Strategy {

  /** The strategy's name as the CLI spells it, e.g. {@code fedadam}. */
  String name();

  /** Name and every setting, for logs and run metadata. */
  String describe();

  /** A fresh, empty aggregator for one round's updates of {@code layout}. */
  UpdateAggregator newAggregator(ModelLayout layout);

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
   * The train config sent to nodes: {@code base} with this strategy's {@link #proximalMu()}.
   * Flower's {@code configure_fit} counterpart.
   */
  default TrainConfig configureTrain(TrainConfig base) {
    return base.withMu(proximalMu());
  }

  /** A fresh evaluation aggregator for one round (example-weighted loss and accuracy). */
  default EvaluationAggregator newEvaluationAggregator() {
    return new EvaluationAggregator();
  }
}
