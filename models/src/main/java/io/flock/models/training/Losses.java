package io.flock.models.training;

import ai.djl.training.loss.Loss;
import io.flock.models.zoo.ModelSpec;

/** The training loss of each kind of model. */
public final class Losses {

  private Losses() {}

  /**
   * Softmax cross entropy over classes for a classifier; {@link TokenCrossEntropyLoss} over the
   * positions of a (masked) language model.
   */
  public static Loss forTask(ModelSpec.Task task) {
    return switch (task) {
      case CLASSIFICATION -> Loss.softmaxCrossEntropyLoss();
      case LANGUAGE_MODEL, MASKED_LM -> new TokenCrossEntropyLoss();
    };
  }
}
