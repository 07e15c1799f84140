package io.flock.models.aggregation;

import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import java.util.Arrays;
import java.util.Map;

/**
 * FedAdagrad, FedAdam and FedYogi exactly as Reddi et al. 2021, "Adaptive Federated Optimization",
 * ICLR, Algorithm 2. Per coordinate, with {@code Delta_t} the round's combined update:
 *
 * <pre>
 *   m_t = beta1 * m_{t-1} + (1 - beta1) * Delta_t
 *   v_t = v_{t-1} + Delta_t^2                                           (FedAdagrad)
 *   v_t = beta2 * v_{t-1} + (1 - beta2) * Delta_t^2                     (FedAdam)
 *   v_t = v_{t-1} - (1 - beta2) * Delta_t^2 * sign(v_{t-1} - Delta_t^2) (FedYogi)
 *   x_{t+1} = x_t + eta * m_t / (sqrt(v_t) + tau)
 * </pre>
 *
 * with {@code m_{-1} = 0}, {@code v_{-1} = tau^2} (the algorithm's input {@code v_{-1} >= tau^2},
 * taken at its bound) and no bias correction. {@code sign(0) = 0}, so a FedYogi coordinate whose
 * {@code v} equals {@code Delta^2} keeps its {@code v}. FedAdagrad ignores {@code beta2}.
 *
 * <p><b>Where Flower differs</b> (checked against {@code flwr} {@code fedadam.py}, {@code
 * fedyogi.py}, {@code fedadagrad.py} and {@code fedopt.py}, both the {@code
 * flwr.server.strategy} and the newer {@code flwr.serverapp.strategy} packages):
 *
 * <ul>
 *   <li>Flower initialises {@code v} to zeros, not {@code tau^2} (and {@code m} to zeros, as here).
 *       Its first FedYogi step therefore gives {@code v_0 = (1 - beta2) Delta_0^2}, the same as
 *       FedAdam from zero; its first FedAdagrad step gives {@code v_0 = Delta_0^2}.
 *   <li>Flower's FedAdam in {@code flwr.serverapp.strategy} (and later {@code flwr.server}
 *       releases; earlier ones have no correction) scales {@code eta} by the Adam bias correction
 *       {@code sqrt(1 - beta2^(r+1)) / (1 - beta1^(r+1))}, with {@code r} the 1-based server round
 *       (Kingma and Ba's {@code alpha_t}, exponent shifted by one). Algorithm 2 has no bias
 *       correction, nor has Flower's FedYogi or FedAdagrad.
 *   <li>Flower's FedAdagrad fixes {@code beta1 = 0} ({@code m_t = Delta_t}); Algorithm 2 keeps the
 *       {@code beta1} momentum for all three, so it is a parameter here.
 *   <li>Algorithm 2 forms {@code Delta_t} as the unweighted mean of the sampled clients' updates;
 *       Flower uses the sample-weighted FedAvg result minus {@code x_t}. Here {@code Delta_t} is
 *       whatever the strategy's {@link UpdateAggregator} returns (the sample-weighted mean unless
 *       a robust rule is chosen).
 *   <li>Flower's defaults: {@code eta = 0.1} (FedAdam, FedAdagrad), {@code 0.01} (FedYogi), {@code
 *       beta1 = 0.9}, {@code beta2 = 0.99}, {@code tau = 1e-3} ({@code 1e-9} for FedAdam and
 *       FedAdagrad in older {@code flwr.server.strategy} releases). Flock's defaults are in {@link
 *       StrategyOptions}.
 * </ul>
 *
 * <p>State is kept in float32, like the model: {@code m} and {@code v} of model size.
 */
public final class AdaptiveServerOptimizer implements ServerOptimizer {

  /** The second-moment rule, which names the algorithm. */
  public enum Rule {
    /** {@code v_t = v_{t-1} + Delta_t^2}. */
    ADAGRAD("fedadagrad"),
    /** {@code v_t = beta2 v_{t-1} + (1 - beta2) Delta_t^2}. */
    ADAM("fedadam"),
    /** {@code v_t = v_{t-1} - (1 - beta2) Delta_t^2 sign(v_{t-1} - Delta_t^2)}. */
    YOGI("fedyogi");

    private final String optimizerName;

    Rule(String optimizerName) {
      this.optimizerName = optimizerName;
    }

    /** The optimizer's name, e.g. {@code fedadam}. */
    public String optimizerName() {
      return optimizerName;
    }
  }

  static final String M = "m";
  static final String V = "v";

  private final Rule rule;
  private final double eta;
  private final double beta1;
  private final double beta2;
  private final double tau;
  private float[] m; // null until the first step
  private float[] v;
  private ModelLayout layout;
  private long steps;

  private AdaptiveServerOptimizer(Rule rule, double eta, double beta1, double beta2, double tau) {
    this.rule = rule;
    this.eta = OptimizerChecks.positive("serverLr", eta);
    this.beta1 = OptimizerChecks.unitInterval("beta1", beta1);
    this.beta2 = rule == Rule.ADAGRAD ? 0 : OptimizerChecks.unitInterval("beta2", beta2);
    this.tau = OptimizerChecks.positive("tau", tau);
  }

  /**
   * FedAdagrad (Reddi et al. 2021, Algorithm 2).
   *
   * @param eta server learning rate, > 0
   * @param beta1 first-moment decay, in [0, 1); 0 = no momentum (Flower's fixed choice)
   * @param tau adaptivity, > 0
   */
  public static AdaptiveServerOptimizer fedAdagrad(double eta, double beta1, double tau) {
    return new AdaptiveServerOptimizer(Rule.ADAGRAD, eta, beta1, 0, tau);
  }

  /**
   * FedAdam (Reddi et al. 2021, Algorithm 2), without bias correction.
   *
   * @param eta server learning rate, > 0
   * @param beta1 first-moment decay, in [0, 1)
   * @param beta2 second-moment decay, in [0, 1)
   * @param tau adaptivity, > 0
   */
  public static AdaptiveServerOptimizer fedAdam(
      double eta, double beta1, double beta2, double tau) {
    return new AdaptiveServerOptimizer(Rule.ADAM, eta, beta1, beta2, tau);
  }

  /**
   * FedYogi (Reddi et al. 2021, Algorithm 2).
   *
   * @param eta server learning rate, > 0
   * @param beta1 first-moment decay, in [0, 1)
   * @param beta2 second-moment decay, in [0, 1)
   * @param tau adaptivity, > 0
   */
  public static AdaptiveServerOptimizer fedYogi(
      double eta, double beta1, double beta2, double tau) {
    return new AdaptiveServerOptimizer(Rule.YOGI, eta, beta1, beta2, tau);
  }

  /** Which of the three algorithms this is. */
  public Rule rule() {
    return rule;
  }

  @Override
  public String name() {
    return rule.optimizerName();
  }

  @Override
  public ModelWeights step(ModelWeights global, ModelWeights combinedDelta) {
    OptimizerChecks.stepInputs(global, combinedDelta, layout);
    if (m == null) {
      layout = global.layout();
      m = new float[global.size()];
      v = new float[global.size()];
      Arrays.fill(v, (float) (tau * tau)); // v_{-1} = tau^2
    }
    float[] x = new float[global.size()];
    for (int i = 0; i < x.length; i++) {
      double d = combinedDelta.get(i);
      double d2 = d * d;
      double mi = beta1 * m[i] + (1 - beta1) * d;
      double vPrev = v[i];
      double vi =
          switch (rule) {
            case ADAGRAD -> vPrev + d2;
            case ADAM -> beta2 * vPrev + (1 - beta2) * d2;
            case YOGI -> vPrev - (1 - beta2) * d2 * Math.signum(vPrev - d2);
          };
      m[i] = (float) mi;
      v[i] = (float) vi;
      // From the stored float32 state, so a restored optimizer steps bit for bit the same.
      x[i] = (float) (global.get(i) + eta * m[i] / (Math.sqrt(v[i]) + tau));
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
        m == null
            ? Map.of()
            : Map.of(M, ModelWeights.of(layout, m), V, ModelWeights.of(layout, v));
    return new ServerOptimizerState(name(), steps, slots);
  }

  @Override
  public void restore(ServerOptimizerState state) {
    OptimizerChecks.sameOptimizer(name(), state);
    if (state.slots().isEmpty()) {
      m = null;
      v = null;
      layout = null;
      steps = state.steps();
      return;
    }
    ModelWeights ms = state.slot(M);
    ModelWeights vs = state.slot(V);
    if (ms.firstNonFinite() >= 0) {
      throw new IllegalArgumentException(
          name() + " state slot 'm' has a non-finite value at index " + ms.firstNonFinite());
    }
    for (int i = 0; i < vs.size(); i++) {
      if (!(vs.get(i) >= 0) || Float.isInfinite(vs.get(i))) {
        throw new IllegalArgumentException(
            name() + " state slot 'v' must be >= 0 and finite, was " + vs.get(i) + " at index "
                + i);
      }
    }
    m = ms.toArray();
    v = vs.toArray();
    layout = ms.layout();
    steps = state.steps();
  }

  @Override
  public String toString() {
    return name()
        + "(eta=" + eta + ", beta1=" + beta1 + (rule == Rule.ADAGRAD ? "" : ", beta2=" + beta2)
        + ", tau=" + tau + ")";
  }
}
