package io.flock.models.training;

import io.flock.models.weights.ModelWeights;

/**
 * Evaluates a global model on held-out data. Owns native resources; one caller at a time.
 */
public interface Evaluator extends AutoCloseable {

  /** Loss and accuracy of {@code weights}. */
  EvalResult evaluate(ModelWeights weights);

  @Override
  void close();
}
