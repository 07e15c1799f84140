package io.flock.models.aggregation;

import io.flock.models.weights.ModelWeights;
import java.util.Map;

/**
 * Plain server step {@code x_{t+1} = x_t + eta * Delta_t}. With {@code eta = 1} this is FedAvg
 * (McMahan et al. 2017, Algorithm 1); other values are FedAvg with a server learning rate, the
 * FedOpt instance with SGD as ServerOpt (Reddi et al. 2021, Algorithm 1). Keeps no state but the
 * step count.
 */
public final class ServerSgd implements ServerOptimizer {

  /** The {@link #name()} of this optimizer. */
  public static final String NAME = "sgd";

  private final double eta;
  private long steps;

  /**
   * A plain server step.
   *
   * @param eta server learning rate, > 0 and finite; 1 = FedAvg
   */
  public ServerSgd(double eta) {
    this.eta = OptimizerChecks.positive("serverLr", eta);
  }

  /** The server learning rate. */
  public double eta() {
    return eta;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ModelWeights step(ModelWeights global, ModelWeights combinedDelta) {
    OptimizerChecks.stepInputs(global, combinedDelta, null);
    steps++;
    return global.plusScaled(combinedDelta, eta);
  }

  @Override
  public long steps() {
    return steps;
  }

  @Override
  public ServerOptimizerState snapshot() {
    return new ServerOptimizerState(NAME, steps, Map.of());
  }

  @Override
  public void restore(ServerOptimizerState state) {
    OptimizerChecks.sameOptimizer(NAME, state);
    steps = state.steps();
  }

  @Override
  public String toString() {
    return NAME + "(eta=" + eta + ")";
  }
}
