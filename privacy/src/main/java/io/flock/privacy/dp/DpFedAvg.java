package io.flock.privacy.dp;

import java.util.Objects;

/**
 * The pure arithmetic of DP-FedAvg (McMahan, Ramage, Talwar and Zhang 2018, "Learning
 * Differentially Private Recurrent Language Models", ICLR, Algorithm 1), with user-level
 * (node-level) privacy: adding or removing one node changes the sum of clipped updates by at most
 * the clip norm {@code S}, so Gaussian noise of std {@code z * S} on that sum is the sampled
 * Gaussian mechanism with noise multiplier {@code z}, accounted by {@link PrivacyAccountant} with
 * {@code q} = expected participants per round / population.
 *
 * <p>Two places to add the noise:
 *
 * <ul>
 *   <li><b>central DP</b>: nodes clip ({@link L2Clipping}); the trusted aggregator adds {@code N(0,
 *       (zS)^2)} to the sum ({@link #addCentralNoise});
 *   <li><b>distributed DP</b>: under secure aggregation the aggregator only sees the sum, so
 *       each of the {@code n} planned nodes adds its share {@code N(0, (zS)^2 / n)} ({@link
 *       #clipAndAddShare}); independent shares add up to the same {@code N(0, (zS)^2)}. If only
 *       {@code m < n} shares arrive, the sum carries std {@code zS sqrt(m/n)}, and the round must
 *       be accounted with {@link #effectiveNoiseMultiplier} (plan for dropouts by raising {@code z}
 *       or dividing by the expected, not the planned, number of survivors).
 * </ul>
 *
 * The average the strategy then forms divides the noised sum by the <i>expected</i> number of
 * participants (McMahan et al.'s fixed-denominator estimator), not the observed one, which would
 * itself depend on who took part. Caveat: the RDP analysis assumes Poisson sampling (each node
 * independently with probability {@code q}); fixed-size sampling is commonly accounted the same way
 * as an approximation.
 */
public final class DpFedAvg {

  private DpFedAvg() {}

  /** Std of the noise on the sum of clipped updates: {@code z * S}. */
  public static double centralNoiseStd(double noiseMultiplier, double clipNorm) {
    Checks.noiseMultiplier(noiseMultiplier);
    Checks.positive("clipNorm", clipNorm);
    return noiseMultiplier * clipNorm;
  }

  /** Std of one node's share of the noise in distributed DP: {@code z * S / sqrt(n)}. */
  public static double distributedNoiseStd(double noiseMultiplier, double clipNorm, int nodes) {
    Checks.positiveCount("nodes", nodes);
    return centralNoiseStd(noiseMultiplier, clipNorm) / Math.sqrt(nodes);
  }

  /**
   * Noise multiplier actually achieved in distributed DP when each share was sized for {@code
   * sizedFor} nodes (std {@code z S / sqrt(sizedFor)}) and {@code contributing} shares reach the
   * sum: {@code z * sqrt(contributing / sizedFor)}. Sizing shares for the round's quorum makes this
   * at least {@code z} whenever the round completes. This, not {@code z}, is what the accountant
   * records for the round.
   */
  public static double effectiveNoiseMultiplier(double noiseMultiplier, int sizedFor, int contributing) {
    Checks.noiseMultiplier(noiseMultiplier);
    Checks.positiveCount("sizedFor", sizedFor);
    if (contributing < 0) {
      throw new IllegalArgumentException("contributing must be >= 0, was " + contributing);
    }
    return noiseMultiplier * Math.sqrt((double) contributing / sizedFor);
  }

  /**
   * Node side: clips {@code update} to {@code clipNorm} and adds noise of std {@code shareStd}
   * (its share under distributed DP; 0 = none), in place.
   *
   * @return the update's L2 norm before clipping (what adaptive clipping counts)
   */
  public static double clipAndAddShare(float[] update, double clipNorm, double shareStd, GaussianNoise noise) {
    double norm = L2Clipping.l2Norm(update);
    L2Clipping.clipInPlace(update, norm, clipNorm);
    if (shareStd > 0) {
      Objects.requireNonNull(noise, "noise must not be null when shareStd > 0");
      noise.addNoise(update, shareStd);
    }
    return norm;
  }
}
