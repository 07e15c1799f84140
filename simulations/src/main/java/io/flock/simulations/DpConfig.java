package io.flock.simulations;

import io.flock.models.aggregation.DifferentialPrivacy;
import io.flock.privacy.dp.Conversion;

/**
 * Differential privacy of a run, as the user states it.
 *
 * @param mode central (the aggregator adds the noise) or distributed (nodes add shares)
 * @param epsilon the budget: training stops before epsilon would exceed it; 0 = no budget
 * @param delta the delta of the guarantee, in (0, 1)
 * @param noiseMultiplier z; 0 = calibrate it so that the planned rounds spend exactly the budget
 * @param clipNorm S (initial S with adaptive clipping), > 0
 * @param adaptiveQuantile target unclipped quantile for adaptive clipping; NaN = fixed clipping
 * @param conversion RDP to (epsilon, delta) conversion
 */
public record DpConfig(
    DifferentialPrivacy.Mode mode,
    double epsilon,
    double delta,
    double noiseMultiplier,
    double clipNorm,
    double adaptiveQuantile,
    Conversion conversion) {

  /** Validates the combination; messages name the CLI option. */
  public DpConfig {
    if (mode == null || conversion == null) {
      throw new IllegalArgumentException("--dp-mode and the conversion are required");
    }
    if (!(epsilon >= 0) || Double.isInfinite(epsilon)) {
      throw new IllegalArgumentException("--dp-epsilon must be > 0, was " + epsilon);
    }
    if (!(delta > 0 && delta < 1)) {
      throw new IllegalArgumentException("--dp-delta must be in (0, 1), was " + delta);
    }
    if (!(noiseMultiplier >= 0) || Double.isInfinite(noiseMultiplier)) {
      throw new IllegalArgumentException("--dp-noise must be >= 0 (0 = calibrate), was " + noiseMultiplier);
    }
    if (noiseMultiplier == 0 && epsilon == 0) {
      throw new IllegalArgumentException("differential privacy needs --dp-epsilon (to calibrate the noise) or --dp-noise");
    }
    if (!(clipNorm > 0) || Double.isInfinite(clipNorm)) {
      throw new IllegalArgumentException("--dp-clip must be > 0, was " + clipNorm);
    }
  }
}
