package io.flock.models.training;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import io.flock.models.weights.BlockWeights;
import io.flock.models.weights.ModelWeights;
import io.flock.models.zoo.ModelSpec;

/** Creates the initial global model of a run, deterministically from the run's seed. */
public final class ModelInitializer {

  private ModelInitializer() {}

  /**
   * Initializes a fresh block of {@code spec} with the engine's default initializers seeded by
   * {@code seed}, and returns its weights.
   */
  public static synchronized ModelWeights initialWeights(ModelSpec spec, long seed) {
    Engine.getInstance().setRandomSeed((int) (seed ^ (seed >>> 32)));
    try (Model model = Model.newInstance(spec.name())) {
      Block block = spec.newBlock();
      model.setBlock(block);
      block.initialize(model.getNDManager(), DataType.FLOAT32, spec.batchShape(1));
      return BlockWeights.read(block);
    }
  }
}
