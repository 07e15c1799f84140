package io.flock.actors.round;

import io.flock.actors.protocol.Dropout;
import java.util.ArrayList;
import java.util.List;

/**
 * What one {@link RoundManager} counts while its round runs (sampled nodes, accepted updates,
 * samples trained on, the samples-weighted training loss, dropouts) and turns into its {@link
 * RoundStats}. Used by the round manager's actor only.
 */
final class RoundTally {

  private final int available;
  private final long startNanos = System.nanoTime();
  private final List<Dropout> dropouts = new ArrayList<>();
  private int sampled;
  private int accepted;
  private int withinClipNorm;
  private long samplesProcessed;
  private double lossSum;
  private long lossWeight;

  /** A round among {@code available} listed nodes, starting now. */
  RoundTally(int available) {
    this.available = available;
  }

  void sampled(int count) {
    sampled = count;
  }

  int sampled() {
    return sampled;
  }

  int accepted() {
    return accepted;
  }

  /** An update folded into the aggregate, with what its node reported. */
  void accept(int numSamples, double trainLoss, long samplesTrained, boolean withinClipNorm) {
    accepted++;
    if (withinClipNorm) {
      this.withinClipNorm++;
    }
    samplesProcessed += samplesTrained;
    lossSum += trainLoss * numSamples;
    lossWeight += numSamples;
  }

  /**
   * Under secure aggregation: the {@code count} nodes in the securely aggregated sum are the
   * participants, with their clear statistics; their updates were clipped for the protocol.
   */
  void survivors(int count, KeptUpdates.SurvivorStats stats) {
    samplesProcessed += stats.samples();
    lossSum += stats.lossSum();
    lossWeight += stats.lossWeight();
    accepted = count;
    withinClipNorm = accepted;
  }

  /** The aggregator's count of the updates it folded, which is the truth. */
  void aggregated(int updates) {
    accepted = updates;
  }

  void dropout(Dropout dropout) {
    dropouts.add(dropout);
  }

  void dropouts(List<Dropout> more) {
    dropouts.addAll(more);
  }

  RoundStats stats() {
    return new RoundStats(available, sampled, accepted, samplesProcessed,
        lossWeight == 0 ? Double.NaN : lossSum / lossWeight, dropouts,
        (System.nanoTime() - startNanos) / 1_000_000, withinClipNorm);
  }
}
