package io.flock.privacy.dp;

/**
 * Log-space arithmetic and {@code log(erfc(x))} for the RDP accountant.
 *
 * <p>The sampled-Gaussian RDP sums terms that under- and overflow a double by hundreds of orders
 * of magnitude, so they are added and subtracted as logarithms. {@code erfc} follows W. J. Cody,
 * "Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969) 631-637: three
 * rational approximations on {@code |x| <= 0.46875}, {@code (0.46875, 4]} and {@code > 4}, each
 * good to about 1e-16 relative. In the two outer intervals the factor {@code exp(-x^2)} is kept
 * symbolic, so {@link #logErfc} stays accurate where {@code erfc} itself underflows (x > 26.5).
 */
final class LogMath {

  private LogMath() {}

  // Cody (1969), erf on |x| <= 0.46875: erf(x) = x * P(x^2) / Q(x^2).
  private static final double[] ERF_P = {
    3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
    3.20937758913846947e03, 1.85777706184603153e-1
  };
  private static final double[] ERF_Q = {
    2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
    2.84423683343917062e03
  };
  // Cody (1969), erfc on (0.46875, 4]: erfc(x) = exp(-x^2) * P(x) / Q(x).
  private static final double[] MID_P = {
    5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
    2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
    2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8
  };
  private static final double[] MID_Q = {
    1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
    1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
    3.43936767414372164e03, 1.23033935480374942e03
  };
  // Cody (1969), erfc on x > 4: erfc(x) = exp(-x^2) / x * (1/sqrt(pi) - z P(z) / Q(z)), z = 1/x^2.
  private static final double[] TAIL_P = {
    3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
    1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2
  };
  private static final double[] TAIL_Q = {
    2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1,
    6.05183413124413191e-2, 2.33520497626869185e-3
  };
  private static final double INV_SQRT_PI = 0.56418958354775628695;
  private static final double SMALL = 0.46875;
  private static final double MID = 4.0;
  private static final double LOG_2 = Math.log(2.0);

  /** Returns {@code log(exp(logx) + exp(logy))} without leaving log space. */
  static double logAdd(double logx, double logy) {
    double lo = Math.min(logx, logy);
    double hi = Math.max(logx, logy);
    if (lo == Double.NEGATIVE_INFINITY) {
      return hi;
    }
    return Math.log1p(Math.exp(lo - hi)) + hi;
  }

  /**
   * Returns {@code log(exp(logx) - exp(logy))}.
   *
   * @throws ArithmeticException if {@code logx < logy}: the difference would be negative, which
   *     in the accountant means the series lost its precision
   */
  static double logSub(double logx, double logy) {
    if (logx < logy) {
      throw new ArithmeticException(
          "log-space subtraction would go negative: logx=" + logx + " < logy=" + logy);
    }
    if (logy == Double.NEGATIVE_INFINITY) {
      return logx;
    }
    if (logx == logy) {
      return Double.NEGATIVE_INFINITY;
    }
    double gap = logx - logy;
    if (gap > 700) {
      // exp(gap) - 1 == exp(gap) to double precision, and expm1 would overflow beyond ~709.
      return logx;
    }
    return Math.log(Math.expm1(gap)) + logy;
  }

  /** Returns {@code erfc(x)}; 0 where it underflows. */
  static double erfc(double x) {
    return Math.exp(logErfc(x));
  }

  /** Returns {@code log(erfc(x))}, finite for every finite {@code x}. */
  static double logErfc(double x) {
    double ax = Math.abs(x);
    if (ax <= SMALL) {
      return Math.log1p(-erfSmall(x));
    }
    double logErfcAbs = logErfcPositive(ax);
    if (x > 0) {
      return logErfcAbs;
    }
    // erfc(-a) = 2 - erfc(a), with erfc(a) < 0.51 here, so no cancellation.
    return LOG_2 + Math.log1p(-0.5 * Math.exp(logErfcAbs));
  }

  private static double erfSmall(double x) {
    double z = x * x;
    double num = ERF_P[4] * z;
    double den = z;
    for (int i = 0; i < 3; i++) {
      num = (num + ERF_P[i]) * z;
      den = (den + ERF_Q[i]) * z;
    }
    return x * (num + ERF_P[3]) / (den + ERF_Q[3]);
  }

  private static double logErfcPositive(double x) {
    if (x <= MID) {
      double num = MID_P[8] * x;
      double den = x;
      for (int i = 0; i < 7; i++) {
        num = (num + MID_P[i]) * x;
        den = (den + MID_Q[i]) * x;
      }
      return -x * x + Math.log((num + MID_P[7]) / (den + MID_Q[7]));
    }
    double z = 1.0 / (x * x);
    double num = TAIL_P[5] * z;
    double den = z;
    for (int i = 0; i < 4; i++) {
      num = (num + TAIL_P[i]) * z;
      den = (den + TAIL_Q[i]) * z;
    }
    double correction = z * (num + TAIL_P[4]) / (den + TAIL_Q[4]);
    return -x * x - Math.log(x) + Math.log(INV_SQRT_PI - correction);
  }
}
