package io.flock.models.aggregation;

import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import java.util.ArrayList;
import java.util.List;

/**
 * Base of the robust aggregators (median, trimmed mean, Krum): they need every update of the round
 * at once, so they keep them, in arrival order with their node ids (O(n * model) memory; in one JVM
 * the updates are shared references, not copies). Validation and bookkeeping live here, the rule in
 * {@link #result()}.
 */
abstract class BufferedAggregator implements UpdateAggregator {

  protected final Contributions contributions;
  protected final List<String> nodeIds = new ArrayList<>();
  protected final List<ModelWeights> updates = new ArrayList<>();

  BufferedAggregator(ModelLayout layout) {
    this.contributions = new Contributions(layout);
  }

  @Override
  public final void add(String nodeId, ModelWeights delta, long numSamples) {
    contributions.check(nodeId, delta, numSamples);
    nodeIds.add(nodeId);
    updates.add(delta);
    contributions.record(nodeId, numSamples);
  }

  @Override
  public final int count() {
    return contributions.count();
  }

  @Override
  public final long totalSamples() {
    return contributions.totalSamples();
  }
}
