package io.flock.privacy.dp;

import java.util.Objects;

/**
 * Finds the smallest noise multiplier that keeps a planned run within a target {@code (epsilon,
 * delta)}: the inverse of {@link PrivacyAccountant#epsilon}.
 *
 * <p>Epsilon is continuous and non-increasing in the noise multiplier, so the search brackets the
 * target (doubling or halving from 1) and then bisects. The result {@code sigma} always satisfies
 * {@code epsilon(sigma) <= target} (the feasible end of the bracket is returned) and, to the
 * documented tolerance, {@code epsilon(sigma) >= target * (1 - }{@value #RELATIVE_TOLERANCE}{@code
 * )}. Opacus's {@code get_noise_multiplier} stops when the bracket is 0.01 wide instead, so its
 * answers are up to 0.01 more conservative than this one.
 *
 * <p>Not every target is reachable: as sigma grows, RDP tends to 0 and epsilon to a floor set by
 * delta, the order grid and any privacy already spent (about 0.1029 at delta = 1e-5 on the default
 * grid). Asking for less fails with an error that names the floor.
 */
public final class NoiseCalibration {

  /** Relative accuracy in epsilon at which the bisection stops. */
  public static final double RELATIVE_TOLERANCE = 1e-6;

  /** Smallest noise multiplier the search considers; any target that allows less gets this. */
  public static final double MIN_NOISE_MULTIPLIER = 1e-4;

  /** Largest noise multiplier the search considers before declaring the target unreachable. */
  public static final double MAX_NOISE_MULTIPLIER = 1e9;

  private static final int MAX_BISECTIONS = 200;

  private NoiseCalibration() {}

  /**
   * Returns the smallest noise multiplier for which {@code steps} steps at sampling rate {@code q}
   * cost at most {@code targetEpsilon} at {@code delta}, over the default orders.
   *
   * @throws IllegalArgumentException on invalid arguments, or when the target is unreachable
   */
  public static double noiseMultiplier(
      double targetEpsilon, double delta, double q, long steps, Conversion conversion) {
    return noiseMultiplier(PrivacyAccountant.empty(), targetEpsilon, delta, q, steps, conversion);
  }

  /**
   * Returns the smallest noise multiplier for which {@code spent} followed by {@code steps} steps
   * at sampling rate {@code q} costs at most {@code targetEpsilon} at {@code delta}: the noise for
   * the rest of a run whose earlier phases already used part of the budget.
   */
  public static double noiseMultiplier(
      PrivacyAccountant spent,
      double targetEpsilon,
      double delta,
      double q,
      long steps,
      Conversion conversion) {
    Objects.requireNonNull(spent, "spent must not be null");
    Checks.epsilon("targetEpsilon", targetEpsilon);
    Checks.delta(delta);
    Checks.sampleRate(q);
    Objects.requireNonNull(conversion, "conversion must not be null");
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1, was " + steps);
    }
    double[] orders = RdpAccountant.defaultOrders();
    double[] base = spent.rdp(orders);
    Objective epsilonAt = new Objective(orders, base, delta, q, steps, conversion);

    double floor = RdpAccountant.epsilon(orders, base, delta, conversion).epsilon();
    if (floor >= targetEpsilon) {
      throw unreachable(targetEpsilon, delta, floor, "even infinite noise");
    }
    // Bracket: epsilon(lo) > target >= epsilon(hi).
    double hi = 1.0;
    double epsHi = epsilonAt.apply(hi);
    double lo;
    if (epsHi > targetEpsilon) {
      do {
        lo = hi;
        hi *= 2.0;
        if (hi > MAX_NOISE_MULTIPLIER) {
          throw unreachable(
              targetEpsilon, delta, floor, "a noise multiplier of " + MAX_NOISE_MULTIPLIER);
        }
        epsHi = epsilonAt.apply(hi);
      } while (epsHi > targetEpsilon);
    } else {
      lo = hi / 2.0;
      while (epsilonAt.apply(lo) <= targetEpsilon) {
        hi = lo;
        if (hi <= MIN_NOISE_MULTIPLIER) {
          return hi;
        }
        lo = hi / 2.0;
      }
      epsHi = epsilonAt.apply(hi);
    }
    double goal = targetEpsilon * (1.0 - RELATIVE_TOLERANCE);
    for (int i = 0; i < MAX_BISECTIONS && epsHi < goal && hi - lo > 1e-15 * hi; i++) {
      double mid = 0.5 * (lo + hi);
      double epsMid = epsilonAt.apply(mid);
      if (epsMid <= targetEpsilon) {
        hi = mid;
        epsHi = epsMid;
      } else {
        lo = mid;
      }
    }
    return hi;
  }

  private static IllegalArgumentException unreachable(
      double target, double delta, double floor, String what) {
    return new IllegalArgumentException(
        "targetEpsilon "
            + target
            + " is unreachable at delta "
            + delta
            + ": "
            + what
            + " leaves epsilon above "
            + floor
            + " (set by delta, the largest order and any privacy already spent);"
            + " raise targetEpsilon or delta, or pass larger orders");
  }

  /** Epsilon of the spent history plus {@code steps} steps at noise {@code sigma}. */
  private record Objective(
      double[] orders, double[] base, double delta, double q, long steps, Conversion conversion) {
    double apply(double sigma) {
      double[] total = new double[orders.length];
      for (int k = 0; k < orders.length; k++) {
        total[k] = base[k] + steps * RdpAccountant.rdpUnchecked(q, sigma, orders[k]);
      }
      return RdpAccountant.epsilon(orders, total, delta, conversion).epsilon();
    }
  }
}
