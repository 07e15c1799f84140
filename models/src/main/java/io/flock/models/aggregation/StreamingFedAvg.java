package io.flock.models.aggregation;

import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import java.util.Arrays;

/**
 * Sample-weighted federated averaging folded one update at a time (McMahan et al. 2017,
 * Algorithm 1: {@code w_{t+1} = sum_k (n_k / n) w^k_{t+1}}). Applied to updates {@code Delta_k =
 * w^k - w_t}, the same mean gives {@code w_{t+1} = w_t + sum_k (n_k / n) Delta_k}, so the {@link
 * #result()} is the combined update that FedAvg, FedProx and the FedOpt server optimizers (Reddi
 * et al. 2021) consume.
 *
 * <p>Precision and order: every product {@code n_k * Delta_k[i]} of a float32 value and a sample
 * count below 2^29 is exact in double, and the double sum of a round's products carries 29 bits
 * more than the float32 result. A different arrival order (which in a federation depends on
 * timing) changes the double sum in its last bits at most, so the float32 mean changes only when
 * it lies within about 2^-29 of its own last bit of a rounding boundary: practically never (the
 * tests check orders bit for bit), which keeps seeded runs reproducible.
 *
 * <p>Speed: updates are folded a block at a time ({@link ModelWeights#accumulateAllInto}, SIMD
 * on the Vector API): the double accumulator is read and written once per block of up to {@value
 * #BLOCK} updates rather than once per update, which is what brings a double fold to the speed
 * of a plain float32 summing loop ({@code FedAvgFoldBenchmark}; README). Within a block the
 * updates are added in arrival order, as one at a time would, so the result is the same.
 *
 * <p>Memory: one double array of model size (8 bytes per parameter; allocated when the first
 * block fills, so a round of one block needs none) plus references to at most one block of
 * updates not yet folded, whatever the number of updates: at most {@value #BLOCK}
 * and at most {@value #BLOCK_BYTES} bytes of them (a GPT-Mini-size update is folded at once). In
 * one JVM those updates are the messages themselves, not copies.
 */
public final class StreamingFedAvg implements UpdateAggregator {

  /** Most updates folded in one pass. */
  static final int BLOCK = 16;

  /** Most bytes of update payload held for one pass (512 MiB). */
  static final long BLOCK_BYTES = 512L << 20;

  private final Contributions contributions;
  /** The double sum of the folded blocks; null until the first block fills. */
  private double[] sum;
  private final ModelWeights[] pending;
  private final double[] pendingWeights;
  private int pendingCount;

  /** An empty fold for updates of {@code layout}. */
  public StreamingFedAvg(ModelLayout layout) {
    this.contributions = new Contributions(layout);
    long updateBytes = Math.max(1L, (long) Float.BYTES * layout.numParams());
    int block = (int) Math.max(1, Math.min(BLOCK, BLOCK_BYTES / updateBytes));
    this.pending = new ModelWeights[block];
    this.pendingWeights = new double[block];
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
    pending[pendingCount] = delta;
    pendingWeights[pendingCount] = numSamples;
    pendingCount++;
    contributions.record(nodeId, numSamples);
    if (pendingCount == pending.length) {
      flush();
    }
  }

  private void flush() {
    if (sum == null) {
      sum = new double[contributions.layout().numParams()];
    }
    ModelWeights.accumulateAllInto(sum, pending, pendingWeights, pendingCount);
    Arrays.fill(pending, 0, pendingCount, null);
    pendingCount = 0;
  }

  @Override
  public int count() {
    return contributions.count();
  }

  @Override
  public long totalSamples() {
    return contributions.totalSamples();
  }

  /**
   * The sample-weighted mean {@code sum_k (n_k / n) Delta_k} of the updates folded so far, in one
   * pass over the accumulator and the updates not yet folded (which stay pending: more may come).
   * The mean is the double sum times {@code 1 / n}, rounded to float32: when the exact mean is a
   * float32 value (identical updates, say) that is the result, exactly.
   */
  @Override
  public ModelWeights result() {
    contributions.requireAny();
    return ModelWeights.weightedMean(
        sum, pending, pendingWeights, pendingCount, 1.0 / contributions.totalSamples(),
        contributions.layout());
  }
}
