package io.flock.models.aggregation;

import io.flock.models.weights.ModelWeights;

/**
 * Combines one round's client updates into a single update, the pseudo-gradient that a {@link
 * ServerOptimizer} then applies to the global model (the "aggregate" step of FedOpt, Reddi et al.
 * 2021, Algorithm 1).
 *
 * <p>An update is a difference {@code Delta_k = w_k - w_global} sent by node {@code k} together
 * with its local sample count {@code n_k}. Every implementation validates each update with {@link
 * UpdateValidator} (layout, finite values, {@code n_k > 0}) and rejects a second update from the
 * same node; a rejected update throws {@link IllegalArgumentException} and leaves the aggregator
 * exactly as it was.
 *
 * <p>One instance serves one round and is used by one thread (the round's aggregator actor). How
 * much memory an implementation needs differs: linear ones fold updates as they arrive in O(model)
 * memory, robust ones (median, trimmed mean, Krum) keep every update of the round, O(n * model).
 */
public interface UpdateAggregator {

  /**
   * Adds the update of node {@code nodeId}.
   *
   * @param nodeId the sending node; each node contributes at most once per round
   * @param delta {@code w_k - w_global}, in the round's layout, all values finite
   * @param numSamples the node's sample count {@code n_k}, > 0
   * @throws IllegalArgumentException when any of the above fails; nothing changes then
   */
  void add(String nodeId, ModelWeights delta, long numSamples);

  /** Number of updates accepted so far. */
  int count();

  /** Sum of the sample counts of the accepted updates. */
  long totalSamples();

  /**
   * The combined update of everything added so far. May be called more than once; adding more
   * updates afterwards is allowed.
   *
   * @throws IllegalStateException when no update was added, or too few for the rule (Krum)
   */
  ModelWeights result();
}
