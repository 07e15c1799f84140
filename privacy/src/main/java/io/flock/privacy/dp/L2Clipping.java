package io.flock.privacy.dp;

/**
 * L2 clipping of a model update, the per-client sensitivity bound of DP-FedAvg (McMahan et al.
 * 2018, "Learning Differentially Private Recurrent Language Models", Algorithm 1: {@code
 * Delta <- Delta * min(1, S / ||Delta||)}).
 *
 * <p>Pure math over {@code float[]}: no engine, no actors. The norm is accumulated in double so
 * that a 45M-parameter update does not lose precision to float rounding.
 */
public final class L2Clipping {

  private L2Clipping() {}

  /** Returns the Euclidean norm of {@code values}, accumulated in double precision. */
  public static double l2Norm(float[] values) {
    double sum = 0.0;
    for (float v : values) {
      sum += (double) v * v;
    }
    return Math.sqrt(sum);
  }

  /**
   * The clipping factor of an update with L2 norm {@code norm}: {@code min(1, clipNorm / norm)}.
   *
   * @throws IllegalArgumentException if {@code clipNorm} is not a positive finite number or the
   *     norm is not finite (the update contains NaN or infinite values)
   */
  public static double factor(double norm, double clipNorm) {
    if (!(clipNorm > 0) || Double.isInfinite(clipNorm)) {
      throw new IllegalArgumentException("clipNorm must be > 0 and finite, was " + clipNorm);
    }
    if (!Double.isFinite(norm)) {
      throw new IllegalArgumentException(
          "cannot clip an update whose L2 norm is " + norm + ": it contains NaN or infinity");
    }
    return norm <= clipNorm ? 1.0 : clipNorm / norm;
  }

  /**
   * Scales {@code values} in place so that its L2 norm is at most {@code clipNorm}.
   *
   * @return the factor applied, {@code min(1, clipNorm / norm)}; 1.0 when nothing changed
   * @throws IllegalArgumentException as {@link #factor}
   */
  public static double clipInPlace(float[] values, double clipNorm) {
    return clipInPlace(values, l2Norm(values), clipNorm);
  }

  /** {@link #clipInPlace(float[], double)} for values whose L2 norm {@code norm} is known. */
  public static double clipInPlace(float[] values, double norm, double clipNorm) {
    double scale = factor(norm, clipNorm);
    if (scale < 1.0) {
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) (values[i] * scale);
      }
    }
    return scale;
  }
}
