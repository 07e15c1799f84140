package io.flock.models.data;

import java.util.Arrays;

/**
 * One node's local data: a set of sample indices into a shared, read-only {@link
 * LabeledDataset}. This object never leaves the JVM that hosts the node: only model updates do.
 */
public final class NodeData {

  private final LabeledDataset dataset;
  private final int[] indices;

  /** A view of {@code indices} (copied) into {@code dataset}. */
  public NodeData(LabeledDataset dataset, int[] indices) {
    if (indices.length == 0) {
      throw new IllegalArgumentException("a node needs at least one sample of " + dataset.name());
    }
    for (int i : indices) {
      if (i < 0 || i >= dataset.size()) {
        throw new IllegalArgumentException(
            "sample index " + i + " is outside " + dataset.name() + " of size " + dataset.size());
      }
    }
    this.dataset = dataset;
    this.indices = indices.clone();
  }

  public LabeledDataset dataset() {
    return dataset;
  }

  /** Number of local samples. */
  public int size() {
    return indices.length;
  }

  /** Global index of local sample {@code i}. */
  public int index(int i) {
    return indices[i];
  }

  /** Number of local samples per label, for partition reports and tests. */
  public int[] labelCounts() {
    int[] counts = new int[dataset.numClasses()];
    for (int i : indices) {
      counts[dataset.label(i)]++;
    }
    return counts;
  }

  @Override
  public String toString() {
    return "NodeData[" + dataset.name() + ", samples=" + indices.length
        + ", labels=" + Arrays.toString(labelCounts()) + "]";
  }
}
