package io.flock.privacy.dp;

import java.util.Objects;

/**
 * Adaptive clipping for DP-FedAvg (Andrew, Thakkar, McMahan and Ramaswamy 2021, "Differentially
 * Private Learning with Adaptive Clipping", NeurIPS; arXiv:1905.03871): instead of a hand-tuned
 * clip norm, track a target quantile of the nodes' update norms, privately.
 *
 * <p>Each round every participant reports one bit, {@code b_i = 1} if its update norm is at most
 * the current clip norm {@code C} (unclipped). The aggregator noises the count, {@code b = (sum b_i
 * + N(0, sigma_b^2)) / m} with {@code m} the expected number of participants, and moves the clip
 * geometrically towards the target unclipped quantile {@code gamma}: {@code C <- C exp(-eta (b -
 * gamma))}. Too many unclipped updates shrink {@code C}; too few grow it; one round changes it by
 * at most a factor {@code exp(eta)}.
 *
 * <p>The count is a second query on the same nodes, so it costs privacy. Theorem 1 of the paper:
 * running the update sum with noise multiplier {@link #adjustedNoiseMultiplier z_Delta = (z^-2 -
 * (2 sigma_b)^-2)^-1/2} together with the count is exactly as private as one sampled Gaussian
 * mechanism with noise multiplier {@code z}, which is what the accountant records. The paper
 * recommends {@code gamma = 0.5}, {@code eta = 0.2} and {@code sigma_b = m / 20} ({@link
 * #recommended}).
 *
 * <p>An immutable value: {@link #next} returns the state for the next round. Every field is a
 * primitive, so it checkpoints and travels in messages as is.
 *
 * @param clipNorm the current clip norm {@code C}, {@code > 0}
 * @param targetQuantile the unclipped fraction {@code gamma} to track, in {@code [0, 1]}
 * @param learningRate the geometric step {@code eta}, {@code > 0}
 * @param countNoiseStd the std {@code sigma_b} of the noise on the unclipped count, {@code >= 0}
 */
public record AdaptiveClipping(
    double clipNorm, double targetQuantile, double learningRate, double countNoiseStd) {

  /** Validates the state. */
  public AdaptiveClipping {
    Checks.positive("clipNorm", clipNorm);
    if (!(targetQuantile >= 0.0 && targetQuantile <= 1.0)) {
      throw new IllegalArgumentException("targetQuantile must be in [0, 1], was " + targetQuantile);
    }
    Checks.positive("learningRate", learningRate);
    Checks.nonNegative("countNoiseStd", countNoiseStd);
  }

  /**
   * The paper's recommended setting: median ({@code gamma = 0.5}), {@code eta = 0.2}, {@code
   * sigma_b = expectedNodes / 20}.
   */
  public static AdaptiveClipping recommended(double initialClipNorm, int expectedNodes) {
    Checks.positiveCount("expectedNodes", expectedNodes);
    return new AdaptiveClipping(initialClipNorm, 0.5, 0.2, expectedNodes / 20.0);
  }

  /** The bit a node reports: whether its update norm is within the clip norm. */
  public boolean unclipped(double updateNorm) {
    return updateNorm <= clipNorm;
  }

  /**
   * The private estimate of the unclipped fraction from {@code unclippedCount} of {@code
   * contributing} reported bits: {@code b = (sum (b_i - 1/2) + N(0, sigma_b^2)) / expectedNodes +
   * 1/2}. The bits are centred before noising, so one node changes the noised sum by at most 1/2,
   * the sensitivity Andrew et al.'s Theorem 1 (and {@link #adjustedNoiseMultiplier}) assume.
   */
  public double noisedUnclippedFraction(
      int unclippedCount, int contributing, double expectedNodes, GaussianNoise noise) {
    if (unclippedCount < 0 || unclippedCount > contributing) {
      throw new IllegalArgumentException(
          "unclippedCount must be in [0, contributing = " + contributing + "], was " + unclippedCount);
    }
    Checks.positive("expectedNodes", expectedNodes);
    Objects.requireNonNull(noise, "noise must not be null");
    double centred = unclippedCount - contributing / 2.0 + noise.sample(countNoiseStd);
    return centred / expectedNodes + 0.5;
  }

  /**
   * The state for the next round: {@code C exp(-eta (b - gamma))}, where {@code b} is the noised
   * unclipped fraction (it may fall outside [0, 1] because of the noise; that is expected).
   */
  public AdaptiveClipping next(double noisedUnclippedFraction) {
    if (!Double.isFinite(noisedUnclippedFraction)) {
      throw new IllegalArgumentException(
          "noisedUnclippedFraction must be finite, was " + noisedUnclippedFraction);
    }
    double updated =
        clipNorm * Math.exp(-learningRate * (noisedUnclippedFraction - targetQuantile));
    return new AdaptiveClipping(updated, targetQuantile, learningRate, countNoiseStd);
  }

  /**
   * Noise multiplier for the update sum so that sum and count together are as private as the
   * sampled Gaussian mechanism with {@code noiseMultiplier} (Andrew et al. 2021, Theorem 1):
   * {@code (z^-2 - (2 sigma_b)^-2)^-1/2}.
   *
   * @throws IllegalArgumentException unless {@code 2 sigma_b > z}: below that, the count alone
   *     would spend the whole budget
   */
  public double adjustedNoiseMultiplier(double noiseMultiplier) {
    Checks.positive("noiseMultiplier", noiseMultiplier);
    if (!(2.0 * countNoiseStd > noiseMultiplier)) {
      throw new IllegalArgumentException(
          "countNoiseStd must be > noiseMultiplier / 2 = "
              + noiseMultiplier / 2.0
              + " for adaptive clipping to fit in the budget, was "
              + countNoiseStd);
    }
    double countShare = 1.0 / (4.0 * countNoiseStd * countNoiseStd);
    return 1.0 / Math.sqrt(1.0 / (noiseMultiplier * noiseMultiplier) - countShare);
  }
}
