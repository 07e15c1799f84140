package io.flock.privacy.dp;

/**
 * How a Rényi-DP guarantee {@code (alpha, rho)} becomes an {@code (epsilon, delta)}-DP guarantee.
 *
 * <p>Both rules hold for every order {@code alpha > 1}; the accountant evaluates them on a grid of
 * orders and reports the smallest epsilon (or delta). Each rule is invertible in closed form, so
 * {@link RdpAccountant#delta} is exactly the inverse of {@link RdpAccountant#epsilon} at the same
 * order.
 */
public enum Conversion {
  /**
   * Balle, Barthe, Gaboardi, Hsu and Sato 2020, "Hypothesis Testing Interpretations and Renyi
   * Differential Privacy" (AISTATS; arXiv:1905.09982, Theorem 21): {@code epsilon = rho +
   * log((alpha - 1) / alpha) - (log(delta) + log(alpha)) / (alpha - 1)}. Always at least as tight
   * as {@link #CLASSIC}; the default, and what Opacus's {@code get_privacy_spent} computes.
   */
  IMPROVED {
    @Override
    double epsilon(double order, double rdp, double logDelta) {
      return rdp + Math.log1p(-1.0 / order) - (logDelta + Math.log(order)) / (order - 1.0);
    }

    @Override
    double logDelta(double order, double rdp, double epsilon) {
      return (order - 1.0) * (rdp - epsilon + Math.log1p(-1.0 / order)) - Math.log(order);
    }
  },

  /**
   * Mironov 2017, "Rényi Differential Privacy" (CSF; arXiv:1702.07476, Proposition 3): {@code
   * epsilon = rho + log(1 / delta) / (alpha - 1)}. The bound of the original moments accountant and
   * of TF Privacy's {@code compute_dp_sgd_privacy}; kept to reproduce published numbers.
   */
  CLASSIC {
    @Override
    double epsilon(double order, double rdp, double logDelta) {
      return rdp - logDelta / (order - 1.0);
    }

    @Override
    double logDelta(double order, double rdp, double epsilon) {
      return (order - 1.0) * (rdp - epsilon);
    }
  };

  /** Epsilon implied by {@code (order, rdp)}-RDP at {@code log(delta)}; may be negative. */
  /**
   * The conversion called {@code name} ({@code improved} or {@code classic}, any case).
   *
   * @throws IllegalArgumentException naming the known values otherwise
   */
  public static Conversion named(String name) {
    for (Conversion c : values()) {
      if (c.name().equalsIgnoreCase(name)) {
        return c;
      }
    }
    throw new IllegalArgumentException("must be improved or classic, was '" + name + "'");
  }

  abstract double epsilon(double order, double rdp, double logDelta);

  /** {@code log(delta)} implied by {@code (order, rdp)}-RDP at {@code epsilon}; may exceed 0. */
  abstract double logDelta(double order, double rdp, double epsilon);
}
