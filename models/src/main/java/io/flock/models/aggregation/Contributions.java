package io.flock.models.aggregation;

import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import java.util.HashSet;
import java.util.Set;

/**
 * Book-keeping shared by the aggregators: which nodes contributed, how many samples, and the
 * validation every update passes before an aggregator may touch it.
 */
final class Contributions {

  private final ModelLayout layout;
  private final Set<String> nodes = new HashSet<>();
  private long totalSamples;

  Contributions(ModelLayout layout) {
    if (layout == null) {
      throw new IllegalArgumentException("layout must not be null");
    }
    this.layout = layout;
  }

  ModelLayout layout() {
    return layout;
  }

  /** Throws when the update must not be added; changes nothing. */
  void check(String nodeId, ModelWeights delta, long numSamples) {
    if (nodeId == null || nodeId.isBlank()) {
      throw new IllegalArgumentException("nodeId must not be blank, was '" + nodeId + "'");
    }
    if (nodes.contains(nodeId)) {
      throw new IllegalArgumentException(
          "node '" + nodeId + "' already contributed an update to this round");
    }
    String problem = UpdateValidator.problem(delta, layout, numSamples);
    if (problem != null) {
      throw new IllegalArgumentException("update from node '" + nodeId + "': " + problem);
    }
  }

  /** Records an update that passed {@link #check}. */
  void record(String nodeId, long numSamples) {
    nodes.add(nodeId);
    totalSamples += numSamples;
  }

  int count() {
    return nodes.size();
  }

  long totalSamples() {
    return totalSamples;
  }

  void requireAny() {
    if (nodes.isEmpty()) {
      throw new IllegalStateException("no update was added: the aggregate of nothing is undefined");
    }
  }
}
