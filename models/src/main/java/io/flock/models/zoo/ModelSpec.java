package io.flock.models.zoo;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.function.Supplier;

/**
 * A model the federation can train: how to build its DJL block, what one input sample looks like
 * and what the model predicts. Blocks are built fresh for every owner (a worker, an evaluator):
 * DJL blocks hold native parameters and must not be shared between threads.
 *
 * @param name CLI name, e.g. {@code mlp-2nn}
 * @param description one line for {@code flock models}: configuration, parameter count, size
 * @param sampleShape shape of one input sample, without the batch dimension: features or pixels
 *     of a classifier, the token positions {@code (sequenceLength)} of a token model
 * @param numClasses number of logits per prediction: classes of a classifier, the vocabulary of
 *     a language model (one distribution per position)
 * @param task what the outputs mean and which loss trains them
 * @param inputType element type of the input: {@code FLOAT32} features or {@code INT32} token ids
 * @param blockFactory builds a new, uninitialized block
 */
public record ModelSpec(
    String name,
    String description,
    Shape sampleShape,
    int numClasses,
    Task task,
    DataType inputType,
    Supplier<Block> blockFactory) {

  /** What a model's first output predicts, and so which loss trains it. */
  public enum Task {
    /** One row of class logits per sample {@code (batch, classes)}; softmax cross entropy. */
    CLASSIFICATION,
    /**
     * Next-token logits at every position {@code (batch, seq, vocab)} of a causal model; softmax
     * cross entropy over all positions against the input shifted by one.
     */
    LANGUAGE_MODEL,
    /**
     * Logits for the original token at every position {@code (batch, seq, vocab)} of a
     * bidirectional encoder; cross entropy over the masked positions only (BERT's MLM).
     */
    MASKED_LM
  }

  /** Validates the spec; messages name the field and the rule. */
  public ModelSpec {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("model name must not be blank, was '" + name + "'");
    }
    if (sampleShape == null || sampleShape.dimension() == 0) {
      throw new IllegalArgumentException("model '" + name + "' needs a non-empty sampleShape");
    }
    if (numClasses < 2) {
      throw new IllegalArgumentException(
          "model '" + name + "' needs numClasses >= 2, was " + numClasses);
    }
    if (task == null || inputType == null || blockFactory == null) {
      throw new IllegalArgumentException(
          "model '" + name + "' needs a task, an input type and a block factory");
    }
    if (task != Task.CLASSIFICATION && !inputType.isInteger()) {
      throw new IllegalArgumentException(
          "model '" + name + "' is a " + task + " model: its input must be integer token ids, was "
              + inputType);
    }
  }

  /** A classifier of float32 features: the form every model had before token models. */
  public ModelSpec(
      String name,
      String description,
      Shape sampleShape,
      int numClasses,
      Supplier<Block> blockFactory) {
    this(name, description, sampleShape, numClasses, Task.CLASSIFICATION, DataType.FLOAT32,
        blockFactory);
  }

  /** A new uninitialized block of this architecture. */
  public Block newBlock() {
    return blockFactory.get();
  }

  /** Input shape for a batch of {@code batchSize} samples. */
  public Shape batchShape(int batchSize) {
    return new Shape(batchSize).addAll(sampleShape);
  }

  /** Number of values (features, or token positions) in one flattened sample. */
  public int sampleSize() {
    return Math.toIntExact(sampleShape.size());
  }

  /** Whether the model reads token ids rather than float features. */
  public boolean takesTokens() {
    return inputType.isInteger();
  }
}
