package io.flock.models.training;

/**
 * What a node does with the global model in one round: local SGD epochs over its data.
 * Travels inside the round's train request.
 *
 * @param localEpochs passes over the local data (E in McMahan et al. 2017), >= 1
 * @param batchSize minibatch size (B), >= 1
 * @param learningRate SGD step size, > 0 and finite
 * @param clipNorm L2 bound applied to the node's update before it is sent; 0 = no clipping
 */
public record TrainConfig(int localEpochs, int batchSize, double learningRate, double clipNorm) {

  /** Validates every field; the message names the field and the rule. */
  public TrainConfig {
    if (localEpochs < 1) {
      throw new IllegalArgumentException("localEpochs must be >= 1, was " + localEpochs);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
    }
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      throw new IllegalArgumentException("learningRate must be > 0 and finite, was " + learningRate);
    }
    if (!(clipNorm >= 0) || Double.isInfinite(clipNorm)) {
      throw new IllegalArgumentException("clipNorm must be >= 0 and finite (0 = off), was " + clipNorm);
    }
  }
}
