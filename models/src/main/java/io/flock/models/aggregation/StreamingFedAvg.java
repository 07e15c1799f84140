package io.flock.models.aggregation;

import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;

/**
 * Sample-weighted federated averaging folded one update at a time (McMahan et al. 2017,
 * Algorithm 1: {@code w_{t+1} = sum_k (n_k / n) w^k_{t+1}}). Applied to updates {@code Delta_k =
 * w^k - w_t}, the same mean gives {@code w_{t+1} = w_t + sum_k (n_k / n) Delta_k}, so the {@link
 * #result()} is the combined update that FedAvg, FedProx and the FedOpt server optimizers (Reddi
 * et al. 2021) consume.
 *
 * <p>Memory is two float accumulators of model size (8 bytes per parameter), whatever the number
 * of updates: updates are folded as they arrive and can be dropped right after.
 *
 * <p>Precision: the weighted sum is accumulated in float32 with Kahan compensation ({@link
 * ModelWeights#foldCompensated}), so its error stays within about 3 float ulps of {@code sum_k n_k
 * |Delta_k|} however many updates are folded (a plain float sum would drift with the count). The
 * sample counts enter as float32, exact up to 2^24 samples per node. A double accumulator would be
 * slightly more precise under heavy cancellation but, on Java 17, three times slower: C2 does not
 * vectorize the float-to-double fold (see {@code FedAvgFoldBenchmark} in the simulations module).
 */
public final class StreamingFedAvg implements UpdateAggregator {

  private final Contributions contributions;
  private final float[] sum;
  private final float[] comp;

  /** An empty fold for updates of {@code layout}. */
  public StreamingFedAvg(ModelLayout layout) {
    this.contributions = new Contributions(layout);
    this.sum = new float[layout.numParams()];
    this.comp = new float[layout.numParams()];
  }

  /**
   * Folds one update with weight {@code numSamples}.
   *
   * @throws IllegalArgumentException for a blank or repeated node id, a layout mismatch, a
   *     non-finite value or a non-positive weight; the accumulator is unchanged then
   */
  @Override
  public void add(String nodeId, ModelWeights delta, long numSamples) {
    contributions.check(nodeId, delta, numSamples);
    delta.foldCompensated(sum, comp, (float) numSamples);
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

  /** The sample-weighted mean {@code sum_k (n_k / n) Delta_k} of the updates folded so far. */
  @Override
  public ModelWeights result() {
    contributions.requireAny();
    float total = contributions.totalSamples();
    float[] out = new float[sum.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (sum[i] - comp[i]) / total;
    }
    return ModelWeights.wrap(contributions.layout(), out);
  }
}
