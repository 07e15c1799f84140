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
   * Scales {@code values} in place so that its L2 norm is at most {@code clipNorm}.
   *
   * @return the factor applied, {@code min(1, clipNorm / norm)}; 1.0 when nothing changed
   * @throws IllegalArgumentException if {@code clipNorm} is not a positive finite number or the
   *     update contains NaN or infinite values (its norm would be meaningless)
   */
  public static double clipInPlace(float[] values, double clipNorm) {
    if (!(clipNorm > 0) || Double.isInfinite(clipNorm)) {
      throw new IllegalArgumentException("clipNorm must be > 0 and finite, was " + clipNorm);
    }
    double norm = l2Norm(values);
    if (!Double.isFinite(norm)) {
      throw new IllegalArgumentException(
          "cannot clip an update whose L2 norm is " + norm + ": it contains NaN or infinity");
    }
    if (norm <= clipNorm) {
      return 1.0;
    }
    double scale = clipNorm / norm;
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (values[i] * scale);
    }
    return scale;
  }
}
