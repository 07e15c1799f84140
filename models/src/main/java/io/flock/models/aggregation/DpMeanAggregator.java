package io.flock.models.aggregation;

import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import io.flock.privacy.dp.GaussianNoise;
import io.flock.privacy.dp.L2Clipping;

/**
 * The aggregation of DP-FedAvg (McMahan, Ramage, Talwar and Zhang 2018, "Learning Differentially
 * Private Recurrent Language Models", Algorithm 1 with uniform weights): every update is clipped to
 * L2 norm {@code S}, the clipped updates are summed, Gaussian noise of std {@code sigma} is added
 * to every coordinate of the sum (central DP; 0 when the nodes already added their shares), and
 * the sum is divided by the <em>planned</em> number of participants {@code m} (the fixed-denominator
 * estimator: dividing by the observed count would make the denominator depend on who took part).
 *
 * <p>Updates are weighted equally, whatever their sample counts: one node changes the sum by at
 * most {@code S}, which is the sensitivity the noise is calibrated to. Memory: one accumulator of
 * model size.
 */
public final class DpMeanAggregator implements UpdateAggregator {

  private final ModelLayout layout;
  private final double clipNorm;
  private final boolean reclip;
  private final double sumNoiseStd;
  private final int plannedParticipants;
  private final GaussianNoise noise;
  private final double[] sum;
  private final Contributions contributions;

  /**
   * Central DP: updates arrive clipped but un-noised; each is clipped to {@code clipNorm} again (in
   * case a node did not) and the sum gets the noise.
   *
   * @param clipNorm S: each update is clipped to this L2 norm
   * @param sumNoiseStd std of the noise added to each coordinate of the sum
   * @param plannedParticipants m, the denominator
   * @param noise the cryptographically secure noise source
   */
  public DpMeanAggregator(
      ModelLayout layout, double clipNorm, double sumNoiseStd, int plannedParticipants, GaussianNoise noise) {
    this(layout, clipNorm, true, sumNoiseStd, plannedParticipants, noise);
  }

  /**
   * Distributed DP: updates arrive clipped <em>and</em> noised by their nodes, so they are summed
   * as they are (clipping a noised update again would shrink signal and noise alike) and no noise
   * is added here.
   */
  public static DpMeanAggregator ofNoisedShares(ModelLayout layout, double clipNorm, int plannedParticipants) {
    return new DpMeanAggregator(layout, clipNorm, false, 0, plannedParticipants, null);
  }

  private DpMeanAggregator(ModelLayout layout, double clipNorm, boolean reclip, double sumNoiseStd,
      int plannedParticipants, GaussianNoise noise) {
    if (!(clipNorm > 0) || Double.isInfinite(clipNorm)) {
      throw new IllegalArgumentException("clipNorm must be > 0 and finite, was " + clipNorm);
    }
    if (!(sumNoiseStd >= 0) || Double.isInfinite(sumNoiseStd)) {
      throw new IllegalArgumentException("sumNoiseStd must be >= 0 and finite, was " + sumNoiseStd);
    }
    if (plannedParticipants < 1) {
      throw new IllegalArgumentException("plannedParticipants must be >= 1, was " + plannedParticipants);
    }
    this.layout = layout;
    this.clipNorm = clipNorm;
    this.reclip = reclip;
    this.sumNoiseStd = sumNoiseStd;
    this.plannedParticipants = plannedParticipants;
    this.noise = noise;
    this.sum = new double[layout.numParams()];
    this.contributions = new Contributions(layout);
  }

  @Override
  public void add(String nodeId, ModelWeights delta, long numSamples) {
    contributions.check(nodeId, delta, numSamples);
    // Clipping by scaling the fold: sum += min(1, S / ||delta||) * delta, no copy of the update.
    double scale = reclip ? L2Clipping.factor(delta.l2Norm(), clipNorm) : 1.0;
    delta.accumulateInto(sum, scale);
    contributions.record(nodeId, numSamples);
  }

  @Override
  public int count() {
    return contributions.count();
  }

  @Override
  public long totalSamples() {
    return contributions.totalSamples();
  }

  /** The noised sum divided by the planned participants. Each call draws fresh noise. */
  @Override
  public ModelWeights result() {
    contributions.requireAny();
    float[] out = new float[sum.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) sum[i];
    }
    if (sumNoiseStd > 0) {
      noise.addNoise(out, sumNoiseStd);
    }
    for (int i = 0; i < out.length; i++) {
      out[i] /= plannedParticipants;
    }
    return ModelWeights.wrap(layout, out);
  }
}
