package io.flock.models.zoo;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.function.Supplier;

/**
 * A model the federation can train: how to build its DJL block and what one input sample looks
 * like. Blocks are built fresh for every owner (a worker, an evaluator): DJL blocks hold native
 * parameters and must not be shared between threads.
 *
 * @param name CLI name, e.g. {@code mlp-2nn}
 * @param description one line for {@code flock models}
 * @param sampleShape shape of one input sample, without the batch dimension
 * @param numClasses number of output classes (logits)
 * @param blockFactory builds a new, uninitialized block
 */
public record ModelSpec(
    String name,
    String description,
    Shape sampleShape,
    int numClasses,
    Supplier<Block> blockFactory) {

  /** A new uninitialized block of this architecture. */
  public Block newBlock() {
    return blockFactory.get();
  }

  /** Input shape for a batch of {@code batchSize} samples. */
  public Shape batchShape(int batchSize) {
    return new Shape(batchSize).addAll(sampleShape);
  }

  /** Number of features in one flattened sample. */
  public int sampleSize() {
    return Math.toIntExact(sampleShape.size());
  }
}
