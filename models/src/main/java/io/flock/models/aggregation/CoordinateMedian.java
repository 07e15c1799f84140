package io.flock.models.aggregation;

import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import java.util.Arrays;

/**
 * Coordinate-wise median of the updates (Yin et al. 2018, "Byzantine-Robust Distributed Learning:
 * Towards Optimal Statistical Rates", ICML, Sec. 3, Option I: {@code g = med{g^i}}, the median
 * taken independently in every coordinate). For an even number of updates a coordinate's median is
 * the mean of its two middle values, as in {@code numpy.median}.
 *
 * <p>Robust: a minority of arbitrarily bad updates cannot drag any coordinate outside the range of
 * the honest values. Unweighted, as in the paper: the sample counts do not enter, so a node cannot
 * buy influence by claiming many samples.
 *
 * <p>Memory: keeps every update of the round (references to the immutable updates, no copies):
 * O(n * model). Time: O(model * n log n) in {@link #result()}.
 */
public final class CoordinateMedian extends BufferedAggregator {


  /** An empty median for updates of {@code layout}. */
  public CoordinateMedian(ModelLayout layout) {
    super(layout);
  }

  @Override
  public ModelWeights result() {
    contributions.requireAny();
    int n = updates.size();
    float[] column = new float[n];
    float[] out = new float[contributions.layout().numParams()];
    for (int i = 0; i < out.length; i++) {
      for (int k = 0; k < n; k++) {
        column[k] = updates.get(k).get(i);
      }
      Arrays.sort(column);
      out[i] =
          n % 2 == 1
              ? column[n / 2]
              : (float) (((double) column[n / 2 - 1] + column[n / 2]) / 2);
    }
    return ModelWeights.wrap(contributions.layout(), out);
  }
}
