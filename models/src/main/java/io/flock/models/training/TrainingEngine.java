package io.flock.models.training;

import io.flock.models.data.NodeData;
import io.flock.models.weights.ModelWeights;

/**
 * Runs local training for a node: the work a training worker delegates. {@link LocalTrainer} is
 * the DJL implementation. An engine owns native resources and is used by one thread at a time.
 */
public interface TrainingEngine extends AutoCloseable {

  /** Trains from {@code global} on {@code data}; see {@link LocalTrainer#train}. */
  LocalUpdate train(ModelWeights global, TrainConfig config, NodeData data, long seed);

  /**
   * Loss and accuracy of {@code weights} on a node's held-out data (federated evaluation).
   *
   * @throws UnsupportedOperationException when this engine cannot evaluate
   */
  default EvalResult evaluate(ModelWeights weights, NodeData data) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " does not evaluate");
  }

  @Override
  void close();
}
