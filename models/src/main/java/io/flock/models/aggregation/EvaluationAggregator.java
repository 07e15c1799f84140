package io.flock.models.aggregation;

import java.util.HashSet;
import java.util.Set;

/**
 * Combines the nodes' evaluation reports of one round, weighting each node by its number of
 * examples: {@code loss = sum_k n_k loss_k / sum_k n_k}, and the same for accuracy. This is the
 * federated evaluation of Flower's FedAvg ({@code weighted_loss_avg}): with per-node means of a
 * per-example loss, it equals the mean over all examples pooled.
 *
 * <p>Bad reports (non-finite loss, accuracy outside [0, 1], no examples, a node reporting twice)
 * throw {@link IllegalArgumentException} and change nothing. One instance per round, one thread.
 */
public final class EvaluationAggregator {

  private final Set<String> nodes = new HashSet<>();
  private double lossSum;
  private double accuracySum;
  private long examples;

  /**
   * Adds one node's evaluation.
   *
   * @param loss the node's mean loss, finite
   * @param accuracy the node's accuracy, in [0, 1]
   * @param numExamples examples the node evaluated, > 0
   */
  public void add(String nodeId, double loss, double accuracy, long numExamples) {
    if (nodeId == null || nodeId.isBlank()) {
      throw new IllegalArgumentException("nodeId must not be blank, was '" + nodeId + "'");
    }
    if (nodes.contains(nodeId)) {
      throw new IllegalArgumentException("node '" + nodeId + "' already reported an evaluation");
    }
    if (!Double.isFinite(loss)) {
      throw new IllegalArgumentException("loss from node '" + nodeId + "' must be finite, was " + loss);
    }
    if (!(accuracy >= 0 && accuracy <= 1)) {
      throw new IllegalArgumentException(
          "accuracy from node '" + nodeId + "' must be in [0, 1], was " + accuracy);
    }
    if (numExamples <= 0) {
      throw new IllegalArgumentException(
          "numExamples from node '" + nodeId + "' must be > 0, was " + numExamples);
    }
    nodes.add(nodeId);
    lossSum += loss * numExamples;
    accuracySum += accuracy * numExamples;
    examples += numExamples;
  }

  /** Number of reports added. */
  public int count() {
    return nodes.size();
  }

  /**
   * The example-weighted loss and accuracy.
   *
   * @throws IllegalStateException when no node reported
   */
  public FederatedEvaluation result() {
    if (nodes.isEmpty()) {
      throw new IllegalStateException("no evaluation was reported: nothing to aggregate");
    }
    return new FederatedEvaluation(lossSum / examples, accuracySum / examples, examples, nodes.size());
  }
}
