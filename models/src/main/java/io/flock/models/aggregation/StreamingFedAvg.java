package io.flock.models.aggregation;

import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;

/**
 * Sample-weighted federated averaging folded one update at a time (McMahan et al. 2017,
 * Algorithm 1: {@code w_{t+1} = sum_k (n_k / n) w^k_{t+1}}). Applied to updates {@code Delta_k =
 * w^k - w_t}, the same mean gives {@code w_{t+1} = w_t + sum_k (n_k / n) Delta_k}.
 *
 * <p>Memory is one double accumulator of model size, whatever the number of updates: updates are
 * folded as they arrive and can be dropped right after. Accumulating in double keeps the mean of
 * thousands of float32 updates exact to float precision.
 */
public final class StreamingFedAvg {

  private final ModelLayout layout;
  private final double[] sum;
  private long totalWeight;
  private int count;

  public StreamingFedAvg(ModelLayout layout) {
    this.layout = layout;
    this.sum = new double[layout.numParams()];
  }

  /**
   * Folds one update with weight {@code numSamples}.
   *
   * @throws IllegalArgumentException for a layout mismatch, a non-finite value or a non-positive
   *     weight; the accumulator is unchanged then
   */
  public void add(ModelWeights update, long numSamples) {
    String problem = UpdateValidator.problem(update, layout, numSamples);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    update.accumulateInto(sum, numSamples);
    totalWeight += numSamples;
    count++;
  }

  /** Number of updates folded so far. */
  public int count() {
    return count;
  }

  /** Sum of the weights (samples) folded so far. */
  public long totalWeight() {
    return totalWeight;
  }

  /** The weighted mean of the updates folded so far. */
  public ModelWeights mean() {
    if (count == 0) {
      throw new IllegalStateException("no update was folded: the mean of nothing is undefined");
    }
    float[] out = new float[sum.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (sum[i] / totalWeight);
    }
    return ModelWeights.wrap(layout, out);
  }
}
