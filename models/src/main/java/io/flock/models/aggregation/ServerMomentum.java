package io.flock.models.aggregation;

import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import java.util.Map;

/**
 * FedAvgM: FedAvg with server momentum (Hsu et al. 2019, "Measuring the Effects of Non-Identical
 * Data Distribution for Federated Visual Classification", Sec. 3): {@code v_t = beta * v_{t-1} +
 * Delta_t}, {@code x_{t+1} = x_t + eta * v_t}, with {@code v_{-1} = 0}.
 *
 * <p>Hsu et al. write the update with the pseudo-gradient {@code x_t - avg}, that is {@code
 * -Delta_t}, and subtract; the two forms are the same step. The effective learning rate is {@code
 * eta / (1 - beta)} (ibid.): with {@code beta = 0.9}, {@code eta = 0.1} moves as far as FedAvg in
 * steady state. Flower's {@code FedAvgM} computes the same step.
 */
public final class ServerMomentum implements ServerOptimizer {

  /** The {@link #name()} of this optimizer. */
  public static final String NAME = "fedavgm";

  static final String MOMENTUM = "momentum";

  private final double eta;
  private final double beta;
  private float[] velocity; // null until the first step
  private ModelLayout layout;
  private long steps;

  /**
   * FedAvgM.
   *
   * @param eta server learning rate, > 0 and finite
   * @param beta momentum, in [0, 1); 0 = {@link ServerSgd}
   */
  public ServerMomentum(double eta, double beta) {
    this.eta = OptimizerChecks.positive("serverLr", eta);
    this.beta = OptimizerChecks.unitInterval("momentum (beta1)", beta);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ModelWeights step(ModelWeights global, ModelWeights combinedDelta) {
    OptimizerChecks.stepInputs(global, combinedDelta, layout);
    if (velocity == null) {
      layout = global.layout();
      velocity = new float[global.size()];
    }
    float[] x = new float[global.size()];
    for (int i = 0; i < x.length; i++) {
      double v = beta * velocity[i] + combinedDelta.get(i);
      velocity[i] = (float) v;
      x[i] = (float) (global.get(i) + eta * velocity[i]);
    }
    steps++;
    return ModelWeights.wrap(layout, x);
  }

  @Override
  public long steps() {
    return steps;
  }

  @Override
  public ServerOptimizerState snapshot() {
    Map<String, ModelWeights> slots =
        velocity == null ? Map.of() : Map.of(MOMENTUM, ModelWeights.of(layout, velocity));
    return new ServerOptimizerState(NAME, steps, slots);
  }

  @Override
  public void restore(ServerOptimizerState state) {
    OptimizerChecks.sameOptimizer(NAME, state);
    if (state.slots().isEmpty()) {
      velocity = null;
      layout = null;
    } else {
      ModelWeights v = state.slot(MOMENTUM);
      requireFinite(v);
      velocity = v.toArray();
      layout = v.layout();
    }
    steps = state.steps();
  }

  private static void requireFinite(ModelWeights v) {
    int bad = v.firstNonFinite();
    if (bad >= 0) {
      throw new IllegalArgumentException(
          "fedavgm state slot 'momentum' has a non-finite value at index " + bad);
    }
  }

  @Override
  public String toString() {
    return NAME + "(eta=" + eta + ", beta=" + beta + ")";
  }
}
