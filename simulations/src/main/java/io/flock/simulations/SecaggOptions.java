package io.flock.simulations;

/**
 * The {@code --secure-aggregation} settings of a simulation (Bonawitz et al. 2017 with the SecAgg+
 * graph of Bell et al. 2020).
 *
 * @param degree k, neighbours per node; 0 = the complete graph among the m sampled nodes when m
 *     <= 16, else the even {@code 2 * ceil(log2 m)}
 * @param threshold t, in (k/2, k]; 0 = {@code k/2 + 1}
 * @param clip c: each coordinate of an update is clipped to [-c, c] before quantization, > 0
 */
public record SecaggOptions(int degree, int threshold, double clip) {

  /** The defaults: the default graph and threshold, clip 1.0. */
  public static SecaggOptions defaults() {
    return new SecaggOptions(0, 0, 1.0);
  }

  /** Validates what needs no sample size; the message names the option and the rule. */
  public SecaggOptions {
    if (degree < 0) {
      throw new IllegalArgumentException("--secagg-degree must be >= 0 (0 = default), was " + degree);
    }
    if (threshold < 0) {
      throw new IllegalArgumentException("--secagg-threshold must be >= 0 (0 = k/2 + 1), was " + threshold);
    }
    if (!(clip > 0) || Double.isInfinite(clip)) {
      throw new IllegalArgumentException("--secagg-clip must be > 0 and finite, was " + clip);
    }
  }
}
