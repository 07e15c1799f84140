package io.flock.models.aggregation;

import io.flock.models.weights.ModelWeights;

/**
 * The server side of a round: applies the round's combined update to the global model (the
 * ServerOpt of FedOpt, Reddi et al. 2021, "Adaptive Federated Optimization", ICLR, Algorithm 1).
 * With {@code Delta_t} the result of the round's {@link UpdateAggregator}, plain FedAvg is {@code
 * x_{t+1} = x_t + Delta_t}; momentum and adaptive optimizers keep state across rounds.
 *
 * <p>Stateful and owned by one party, the coordinator, which calls {@link #step} once per
 * completed round, in round order, from one thread. The state is checkpointed with {@link
 * #snapshot()} and brought back with {@link #restore}; a restored optimizer continues exactly as
 * the original would have.
 */
public interface ServerOptimizer {

  /** Short name, e.g. {@code fedadam}; also the {@link ServerOptimizerState#optimizer()} tag. */
  String name();

  /**
   * One server step: the next global model from the current one and the round's combined update.
   *
   * @param global {@code x_t}
   * @param combinedDelta {@code Delta_t}, in the layout of {@code global}, all values finite
   * @return {@code x_{t+1}}
   * @throws IllegalArgumentException for differing layouts (also against the state of earlier
   *     steps) or non-finite values; the state is unchanged then
   */
  ModelWeights step(ModelWeights global, ModelWeights combinedDelta);

  /** Number of steps taken (restored ones included). */
  long steps();

  /** A copy of the state, for a checkpoint. Serializable with Jackson (JSON or CBOR). */
  ServerOptimizerState snapshot();

  /**
   * Replaces the state with a checkpointed one.
   *
   * @throws IllegalArgumentException when the state is of another optimizer or malformed; the
   *     current state is unchanged then
   */
  void restore(ServerOptimizerState state);
}
