package io.flock.privacy.dp;

/**
 * Rényi differential privacy of the Poisson-sampled Gaussian mechanism, and its conversion to
 * {@code (epsilon, delta)}-DP. Pure static math; {@link PrivacyAccountant} keeps the history.
 *
 * <p>One step samples each record (or, in DP-FedAvg, each node) independently with probability
 * {@code q}, sums the contributions clipped to L2 norm {@code S}, and adds {@code N(0, (sigma
 * S)^2)}. Its RDP at order {@code alpha} is {@code log(A_alpha) / (alpha - 1)} with {@code A_alpha
 * = E_{z ~ N(0, sigma^2)} [((1 - q) + q exp((2z - 1) / (2 sigma^2)))^alpha]} (Mironov, Talwar and
 * Zhang 2019, "Rényi Differential Privacy of the Sampled Gaussian Mechanism", arXiv:1908.10530,
 * Section 3.3). This class evaluates it exactly, as Opacus's {@code analysis/rdp.py} and TF
 * Privacy's {@code rdp_accountant.py} do:
 *
 * <ul>
 *   <li>integer {@code alpha}: the binomial expansion {@code A = sum_{i=0..alpha} C(alpha, i) q^i
 *       (1-q)^(alpha-i) exp((i^2 - i) / (2 sigma^2))}, summed in log space;
 *   <li>fractional {@code alpha}: the integral split at {@code z0 = sigma^2 log(1/q - 1) + 1/2},
 *       where the two mixture components cross, each half expanded in the generalized binomial
 *       series with {@code erfc} tails; the series is summed in log space (with sign, since {@code
 *       C(alpha, i)} alternates for {@code i > alpha}) until both terms drop below {@code e^-30}.
 *   <li>{@code q = 1}: the plain Gaussian mechanism, {@code alpha / (2 sigma^2)} (Mironov 2017,
 *       Proposition 7); {@code sigma = 0}: no privacy, {@code +Infinity}.
 * </ul>
 *
 * <p>RDP composes by addition, so {@code steps} identical steps cost {@code steps} times one.
 *
 * <h2>The default order grid</h2>
 *
 * {@link #defaultOrders()} is Opacus's {@code RDPAccountant.DEFAULT_ALPHAS}: {@code 1.1, 1.2, ...,
 * 10.9} (99 orders, step 0.1) followed by {@code 12, 13, ..., 63} (52 orders), 151 in all. Why:
 * for the budgets people train at (epsilon about 1 to 10, delta about 1e-5) the best order lies
 * between about 2 and 30; the bound changes fastest at small orders (large epsilon pushes the best
 * order towards 1), hence the fine 0.1 steps there, while above 11 whole orders suffice and use the
 * cheaper binomial sum. The grid stops at 63, which bounds how small an epsilon it can certify: at
 * delta = 1e-5 even infinite noise leaves epsilon >= 0.1029 ({@link Conversion#IMPROVED}) or >=
 * 0.186 ({@link Conversion#CLASSIC}); for smaller budgets pass a grid with larger orders. Using
 * exactly Opacus's grid (11 is absent there too) reproduces its published numbers digit for digit.
 */
public final class RdpAccountant {

  /** Largest order accepted; integer orders cost {@code O(order)} terms. */
  public static final double MAX_ORDER = 100_000;

  private static final double[] DEFAULT_ORDERS = buildDefaultOrders();
  /** The fractional series stops once both of its terms are below {@code e^-30}. */
  private static final double SERIES_CUTOFF = -30.0;
  /** A guard against a series that fails to converge (never seen for valid input). */
  private static final int MAX_SERIES_TERMS = 10_000_000;
  private static final double LOG_HALF = Math.log(0.5);
  private static final double SQRT_2 = Math.sqrt(2.0);

  private RdpAccountant() {}

  private static double[] buildDefaultOrders() {
    double[] orders = new double[99 + 52];
    for (int x = 1; x <= 99; x++) {
      orders[x - 1] = 1.0 + x / 10.0;
    }
    for (int a = 12; a <= 63; a++) {
      orders[99 + a - 12] = a;
    }
    return orders;
  }

  /** Returns a fresh copy of the default order grid (see the class comment). */
  public static double[] defaultOrders() {
    return DEFAULT_ORDERS.clone();
  }

  /**
   * Returns the RDP at {@code order} of one step of the sampled Gaussian mechanism.
   *
   * @param q sampling probability, in {@code (0, 1]}
   * @param sigma noise multiplier (noise std over L2 sensitivity), {@code >= 0}
   * @param order Rényi order, in {@code (1, MAX_ORDER]}
   * @return the RDP, {@code >= 0}; {@code +Infinity} when {@code sigma == 0}
   */
  public static double rdp(double q, double sigma, double order) {
    Checks.sampleRate(q);
    Checks.noiseMultiplier(sigma);
    checkOrder(order);
    return rdpUnchecked(q, sigma, order);
  }

  /**
   * Returns the RDP of {@code steps} steps at each of {@code orders}: {@code steps * rdp(q, sigma,
   * order)}.
   */
  public static double[] rdp(double q, double sigma, long steps, double[] orders) {
    Checks.sampleRate(q);
    Checks.noiseMultiplier(sigma);
    Checks.steps(steps);
    checkOrders(orders);
    double[] out = new double[orders.length];
    if (steps == 0) {
      return out;
    }
    for (int k = 0; k < orders.length; k++) {
      out[k] = steps * rdpUnchecked(q, sigma, orders[k]);
    }
    return out;
  }

  /**
   * Converts an RDP curve to the smallest epsilon it certifies at {@code delta}.
   *
   * @param orders the orders of the curve
   * @param rdp the RDP at each order, {@code >= 0}
   * @param delta target delta, in {@code (0, 1)}
   * @param conversion the RDP to {@code (epsilon, delta)} rule
   */
  public static PrivacySpent epsilon(
      double[] orders, double[] rdp, double delta, Conversion conversion) {
    checkCurve(orders, rdp);
    Checks.delta(delta);
    double logDelta = Math.log(delta);
    double best = Double.POSITIVE_INFINITY;
    double bestOrder = Double.NaN;
    for (int k = 0; k < orders.length; k++) {
      double eps = conversion.epsilon(orders[k], rdp[k], logDelta);
      if (eps < best) {
        best = eps;
        bestOrder = orders[k];
      }
    }
    // A negative bound certifies (0, delta)-DP; epsilon is reported as 0 then.
    return new PrivacySpent(Math.max(0.0, best), delta, bestOrder, conversion);
  }

  /**
   * Converts an RDP curve to the smallest delta it certifies at {@code epsilon}, by inverting the
   * conversion at each order.
   *
   * @param epsilon target epsilon, {@code > 0}
   * @return the guarantee; {@code delta} is capped at 1 (no guarantee)
   */
  public static PrivacySpent delta(
      double[] orders, double[] rdp, double epsilon, Conversion conversion) {
    checkCurve(orders, rdp);
    Checks.epsilon("epsilon", epsilon);
    double best = Double.POSITIVE_INFINITY;
    double bestOrder = Double.NaN;
    for (int k = 0; k < orders.length; k++) {
      double logDelta = conversion.logDelta(orders[k], rdp[k], epsilon);
      if (logDelta < best) {
        best = logDelta;
        bestOrder = orders[k];
      }
    }
    return new PrivacySpent(epsilon, Math.min(1.0, Math.exp(best)), bestOrder, conversion);
  }

  static double rdpUnchecked(double q, double sigma, double order) {
    if (sigma == 0.0) {
      return Double.POSITIVE_INFINITY;
    }
    if (q == 1.0) {
      return order / (2.0 * sigma * sigma);
    }
    double logA =
        order == Math.rint(order)
            ? logAIntegerOrder(q, sigma, (int) order)
            : logAFractionalOrder(q, sigma, order);
    return logA / (order - 1.0);
  }

  /** {@code log(A_alpha)} for integer alpha by the binomial sum. */
  private static double logAIntegerOrder(double q, double sigma, int alpha) {
    double logQ = Math.log(q);
    double log1mQ = Math.log1p(-q);
    double twoSigmaSq = 2.0 * sigma * sigma;
    double logA = Double.NEGATIVE_INFINITY;
    double logBinom = 0.0; // log C(alpha, 0)
    for (int i = 0; i <= alpha; i++) {
      if (i > 0) {
        logBinom += Math.log(alpha - i + 1) - Math.log(i);
      }
      double term =
          logBinom + i * logQ + (alpha - i) * log1mQ + ((double) i * i - i) / twoSigmaSq;
      logA = LogMath.logAdd(logA, term);
    }
    return logA;
  }

  /**
   * {@code log(A_alpha)} for fractional alpha: Mironov, Talwar and Zhang 2019, Section 3.3. {@code
   * A = A0 + A1}, the integrals below and above {@code z0}, each an alternating-tail generalized
   * binomial series whose i-th terms are {@code C(alpha, i) q^i (1-q)^(alpha-i) exp((i^2 - i) /
   * (2 sigma^2)) erfc((i - z0) / (sqrt(2) sigma)) / 2} and the mirror image with {@code j = alpha -
   * i} in place of {@code i}.
   */
  private static double logAFractionalOrder(double q, double sigma, double alpha) {
    double logQ = Math.log(q);
    double log1mQ = Math.log1p(-q);
    double twoSigmaSq = 2.0 * sigma * sigma;
    double sqrt2Sigma = SQRT_2 * sigma;
    double z0 = sigma * sigma * (log1mQ - logQ) + 0.5;
    double logA0 = Double.NEGATIVE_INFINITY;
    double logA1 = Double.NEGATIVE_INFINITY;
    double logAbsBinom = 0.0; // log |C(alpha, 0)|
    boolean binomPositive = true;
    for (int i = 0; i < MAX_SERIES_TERMS; i++) {
      if (i > 0) {
        double factor = alpha - i + 1; // C(alpha, i) = C(alpha, i-1) * (alpha - i + 1) / i
        logAbsBinom += Math.log(Math.abs(factor)) - Math.log(i);
        if (factor < 0) {
          binomPositive = !binomPositive;
        }
      }
      double j = alpha - i;
      double logT0 = logAbsBinom + i * logQ + j * log1mQ;
      double logT1 = logAbsBinom + j * logQ + i * log1mQ;
      double logE0 = LOG_HALF + LogMath.logErfc((i - z0) / sqrt2Sigma);
      double logE1 = LOG_HALF + LogMath.logErfc((z0 - j) / sqrt2Sigma);
      double logS0 = logT0 + ((double) i * i - i) / twoSigmaSq + logE0;
      double logS1 = logT1 + (j * j - j) / twoSigmaSq + logE1;
      if (binomPositive) {
        logA0 = LogMath.logAdd(logA0, logS0);
        logA1 = LogMath.logAdd(logA1, logS1);
      } else {
        logA0 = LogMath.logSub(logA0, logS0);
        logA1 = LogMath.logSub(logA1, logS1);
      }
      if (Math.max(logS0, logS1) < SERIES_CUTOFF) {
        return LogMath.logAdd(logA0, logA1);
      }
    }
    throw new ArithmeticException(
        "RDP series did not converge for q="
            + q
            + ", noiseMultiplier="
            + sigma
            + ", order="
            + alpha);
  }

  static void checkOrder(double order) {
    if (!(order > 1.0 && order <= MAX_ORDER)) {
      throw new IllegalArgumentException(
          "order must be in (1, " + MAX_ORDER + "], was " + order);
    }
  }

  static void checkOrders(double[] orders) {
    if (orders == null || orders.length == 0) {
      throw new IllegalArgumentException("orders must be a non-empty array");
    }
    for (double order : orders) {
      checkOrder(order);
    }
  }

  private static void checkCurve(double[] orders, double[] rdp) {
    checkOrders(orders);
    if (rdp == null || rdp.length != orders.length) {
      throw new IllegalArgumentException(
          "rdp must have one value per order ("
              + orders.length
              + "), had "
              + (rdp == null ? "none" : rdp.length));
    }
    for (double r : rdp) {
      if (!(r >= 0.0)) {
        throw new IllegalArgumentException("rdp values must be >= 0, was " + r);
      }
    }
  }
}
