package io.flock.models.zoo;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

/**
 * How many scalars a model has, counted on a built block: {@code trainable} ones get gradients
 * (what papers and torchvision count), {@code total} ones travel in its {@code ModelWeights}, the
 * trainable ones plus state the forward pass keeps, such as BN running mean and variance.
 *
 * @param trainable scalars in parameters that require a gradient
 * @param total scalars in all parameters, in {@code Block.getParameters()} order
 */
public record ParameterCounts(long trainable, long total) {

  /** Counts an initialized block. */
  public static ParameterCounts of(Block block) {
    long trainable = 0;
    long total = 0;
    for (Pair<String, Parameter> p : block.getParameters()) {
      Parameter param = p.getValue();
      if (!param.isInitialized()) {
        throw new IllegalStateException(
            "parameter '" + p.getKey() + "' is not initialized; call block.initialize first");
      }
      long size = param.getArray().size();
      total += size;
      if (param.requiresGradient()) {
        trainable += size;
      }
    }
    return new ParameterCounts(trainable, total);
  }

  /** Builds a block of {@code spec} for one sample, counts it and frees it again. */
  public static ParameterCounts of(ModelSpec spec) {
    try (NDManager manager = NDManager.newBaseManager()) {
      Block block = spec.newBlock();
      block.initialize(manager, DataType.FLOAT32, spec.batchShape(1));
      return of(block);
    }
  }

  /** Size of the flat float32 weights, in bytes. */
  public long float32Bytes() {
    return 4 * total;
  }
}
