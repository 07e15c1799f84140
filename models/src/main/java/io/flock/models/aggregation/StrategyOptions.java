package io.flock.models.aggregation;

/**
 * The tunable settings of the named strategies ({@link Strategies#create}); {@code null} means
 * "the strategy's default". An option a strategy does not use is an error, not silently ignored.
 *
 * <p>Defaults, and why:
 *
 * <table>
 *   <caption>Defaults by strategy</caption>
 *   <tr><th>strategy</th><th>serverLr</th><th>other</th></tr>
 *   <tr><td>fedavg, median, trimmed-mean, krum</td><td>1.0</td>
 *       <td>trim 0.2 (Flower's FedTrimmedAvg); byzantine 0 and multiKrum 1, i.e. Krum
 *       (Flower's Krum)</td></tr>
 *   <tr><td>fedprox</td><td>1.0</td><td>mu 0.01, the middle of the grid {0.001, 0.01, 0.1, 1}
 *       that Li et al. 2020 search; tune it (Flower has no default)</td></tr>
 *   <tr><td>fedavgm</td><td>0.1</td><td>beta1 (momentum) 0.9, so the effective learning rate
 *       {@code serverLr / (1 - beta1)} of Hsu et al. 2019 is 1, FedAvg's step (Flower defaults
 *       to momentum 0, plain FedAvg)</td></tr>
 *   <tr><td>fedadam, fedyogi</td><td>0.01</td><td>beta1 0.9, beta2 0.99 (Reddi et al. 2021 and
 *       Flower), tau 1e-3 (Flower's current default)</td></tr>
 *   <tr><td>fedadagrad</td><td>0.01</td><td>beta1 0 (Flower's fixed choice), tau 1e-3</td></tr>
 * </table>
 *
 * <p>The adaptive optimizers start with a step of about {@code serverLr} in every coordinate
 * whatever the size of {@code Delta} (with {@code v_{-1} = tau^2} the first step is {@code eta (1 -
 * beta1) Delta / (sqrt(beta2 tau^2 + (1 - beta2) Delta^2) + tau)}, close to {@code eta * sign}).
 * Flower's 0.1 for FedAdam and FedAdagrad would move every weight of a small MNIST model by 0.1
 * in the first round, more than its initial scale, so Flock defaults to Flower's FedYogi value 0.01
 * for all three.
 *
 * @param mu FedProx proximal coefficient, >= 0 (fedprox)
 * @param serverLr server learning rate eta, > 0 (all strategies)
 * @param beta1 server momentum (fedavgm) or first-moment decay (fedadam, fedyogi, fedadagrad), in
 *     [0, 1)
 * @param beta2 second-moment decay, in [0, 1) (fedadam, fedyogi)
 * @param tau adaptivity, > 0 (fedadam, fedyogi, fedadagrad)
 * @param trim fraction trimmed at each end of every coordinate, in [0, 0.5) (trimmed-mean)
 * @param byzantine Byzantine updates tolerated f, >= 0 (krum)
 * @param multiKrum updates averaged by Multi-Krum m, >= 1; 1 = Krum (krum)
 */
public record StrategyOptions(
    Double mu,
    Double serverLr,
    Double beta1,
    Double beta2,
    Double tau,
    Double trim,
    Integer byzantine,
    Integer multiKrum) {

  /** No option set: every strategy uses its defaults. */
  public static StrategyOptions defaults() {
    return new StrategyOptions(null, null, null, null, null, null, null, null);
  }

  /** With {@link #mu()} set. */
  public StrategyOptions withMu(double v) {
    return new StrategyOptions(v, serverLr, beta1, beta2, tau, trim, byzantine, multiKrum);
  }

  /** With {@link #serverLr()} set. */
  public StrategyOptions withServerLr(double v) {
    return new StrategyOptions(mu, v, beta1, beta2, tau, trim, byzantine, multiKrum);
  }

  /** With {@link #beta1()} set. */
  public StrategyOptions withBeta1(double v) {
    return new StrategyOptions(mu, serverLr, v, beta2, tau, trim, byzantine, multiKrum);
  }

  /** With {@link #beta2()} set. */
  public StrategyOptions withBeta2(double v) {
    return new StrategyOptions(mu, serverLr, beta1, v, tau, trim, byzantine, multiKrum);
  }

  /** With {@link #tau()} set. */
  public StrategyOptions withTau(double v) {
    return new StrategyOptions(mu, serverLr, beta1, beta2, v, trim, byzantine, multiKrum);
  }

  /** With {@link #trim()} set. */
  public StrategyOptions withTrim(double v) {
    return new StrategyOptions(mu, serverLr, beta1, beta2, tau, v, byzantine, multiKrum);
  }

  /** With {@link #byzantine()} set. */
  public StrategyOptions withByzantine(int v) {
    return new StrategyOptions(mu, serverLr, beta1, beta2, tau, trim, v, multiKrum);
  }

  /** With {@link #multiKrum()} set. */
  public StrategyOptions withMultiKrum(int v) {
    return new StrategyOptions(mu, serverLr, beta1, beta2, tau, trim, byzantine, v);
  }
}
