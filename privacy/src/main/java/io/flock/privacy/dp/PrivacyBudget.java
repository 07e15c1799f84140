package io.flock.privacy.dp;

import java.util.Objects;

/**
 * A privacy budget {@code (epsilon, delta)} and the conversion it is measured with; the
 * coordinator checks it before every noised round and stops training when the next round would
 * exceed it.
 *
 * <p>Because RDP adds up over steps, the epsilon of {@code spent + k} steps is non-decreasing in
 * {@code k}, which {@link #remainingSteps} exploits to answer "how many more rounds?" exactly.
 *
 * @param epsilon the epsilon the run must not exceed, {@code > 0}
 * @param delta the delta it is measured at, in {@code (0, 1)}
 * @param conversion the RDP to {@code (epsilon, delta)} rule
 */
public record PrivacyBudget(double epsilon, double delta, Conversion conversion) {

  /** Validates the budget. */
  public PrivacyBudget {
    Checks.epsilon("epsilon", epsilon);
    Checks.delta(delta);
    Objects.requireNonNull(conversion, "conversion must not be null");
  }

  /** A budget measured with {@link Conversion#IMPROVED}. */
  public static PrivacyBudget of(double epsilon, double delta) {
    return new PrivacyBudget(epsilon, delta, Conversion.IMPROVED);
  }

  /** Returns what {@code accountant} has spent, measured at this budget's delta. */
  public PrivacySpent spent(PrivacyAccountant accountant) {
    return accountant.epsilon(delta, conversion);
  }

  /** Returns whether {@code accountant} is still within this budget. */
  public boolean permits(PrivacyAccountant accountant) {
    return spent(accountant).epsilon() <= epsilon;
  }

  /**
   * Returns the largest {@code k >= 0} such that {@code accountant.compose(q, sigma, k)} is within
   * this budget; 0 when even one more step would exceed it (or it is already exceeded), {@link
   * Long#MAX_VALUE} when no number of steps representable as a long would.
   */
  public long remainingSteps(PrivacyAccountant accountant, double q, double sigma) {
    Checks.sampleRate(q);
    Checks.noiseMultiplier(sigma);
    double[] orders = RdpAccountant.defaultOrders();
    double[] base = accountant.rdp(orders);
    double[] perStep = RdpAccountant.rdp(q, sigma, 1, orders);
    if (!fits(orders, base, perStep, 1)) {
      return 0;
    }
    long lo = 1; // fits
    long hi = 2;
    while (fits(orders, base, perStep, hi)) {
      lo = hi;
      if (hi > Long.MAX_VALUE / 2) {
        return Long.MAX_VALUE;
      }
      hi *= 2;
    }
    while (hi - lo > 1) { // invariant: lo fits, hi does not
      long mid = lo + (hi - lo) / 2;
      if (fits(orders, base, perStep, mid)) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private boolean fits(double[] orders, double[] base, double[] perStep, long k) {
    double[] total = new double[orders.length];
    for (int i = 0; i < orders.length; i++) {
      total[i] = base[i] + k * perStep[i];
    }
    return RdpAccountant.epsilon(orders, total, delta, conversion).epsilon() <= epsilon;
  }
}
