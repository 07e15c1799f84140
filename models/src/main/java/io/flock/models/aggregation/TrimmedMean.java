package io.flock.models.aggregation;

import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import java.util.Arrays;

/**
 * Coordinate-wise trimmed mean (Yin et al. 2018, "Byzantine-Robust Distributed Learning: Towards
 * Optimal Statistical Rates", ICML, Sec. 3, Option II, Definition 2: in every coordinate, remove
 * the largest and the smallest {@code beta} fraction of the values and average the rest).
 *
 * <p>With {@code n} updates, {@code k = floor(beta * n)} values are dropped at each end of every
 * coordinate and the remaining {@code n - 2k >= 1} are averaged, unweighted as in the paper (the
 * same cut as {@code scipy.stats.trim_mean}, which Flower's FedTrimmedAvg uses). {@code beta = 0}
 * is the plain unweighted mean. The paper's guarantee needs {@code beta} at least the fraction of
 * Byzantine nodes.
 *
 * <p>Memory: keeps every update of the round (references, no copies): O(n * model). Time: O(model
 * * n log n) in {@link #result()}.
 */
public final class TrimmedMean extends BufferedAggregator {

  private final double beta;

  /**
   * An empty trimmed mean.
   *
   * @param beta fraction trimmed at each end of every coordinate, in [0, 0.5)
   */
  public TrimmedMean(ModelLayout layout, double beta) {
    super(layout);
    checkBeta(beta);
    this.beta = beta;
  }

  /** Throws unless {@code beta} is in [0, 0.5); the message names the value and the rule. */
  static void checkBeta(double beta) {
    if (!(beta >= 0 && beta < 0.5)) {
      throw new IllegalArgumentException("trim (beta) must be in [0, 0.5), was " + beta);
    }
  }

  /** The trimmed fraction at each end. */
  public double beta() {
    return beta;
  }

  /** How many values are dropped at each end of a coordinate when {@code n} updates are in. */
  public int trimmedPerSide(int n) {
    return (int) Math.floor(beta * n);
  }

  @Override
  public ModelWeights result() {
    contributions.requireAny();
    int n = updates.size();
    int cut = trimmedPerSide(n);
    int kept = n - 2 * cut; // >= 1 because beta < 0.5
    float[] column = new float[n];
    float[] out = new float[contributions.layout().numParams()];
    for (int i = 0; i < out.length; i++) {
      for (int k = 0; k < n; k++) {
        column[k] = updates.get(k).get(i);
      }
      Arrays.sort(column);
      double s = 0;
      for (int k = cut; k < n - cut; k++) {
        s += column[k];
      }
      out[i] = (float) (s / kept);
    }
    return ModelWeights.wrap(contributions.layout(), out);
  }
}
