package io.flock.models.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;

/**
 * Moves parameters between an initialized DJL {@link Block} and {@link ModelWeights}, in {@code
 * getParameters()} order. This is the only place where NDArrays become weights and back: no
 * NDArray escapes its owner.
 */
public final class BlockWeights {

  private BlockWeights() {}

  /** The layout of an initialized block. */
  public static ModelLayout layoutOf(Block block) {
    List<ParamSpec> specs = new ArrayList<>();
    for (Pair<String, Parameter> p : block.getParameters()) {
      NDArray array = requireInitialized(p);
      specs.add(ParamSpec.of(p.getKey(), array.getShape().getShape()));
    }
    return new ModelLayout(specs);
  }

  /** Reads all parameters of an initialized block into one flat vector. */
  public static ModelWeights read(Block block) {
    ModelLayout layout = layoutOf(block);
    float[] flat = new float[layout.numParams()];
    int offset = 0;
    for (Pair<String, Parameter> p : block.getParameters()) {
      float[] part = requireInitialized(p).toFloatArray();
      System.arraycopy(part, 0, flat, offset, part.length);
      offset += part.length;
    }
    return ModelWeights.wrap(layout, flat);
  }

  /**
   * Writes {@code weights} into an initialized block.
   *
   * @throws IllegalArgumentException when the layouts differ; nothing is written then
   */
  public static void write(Block block, ModelWeights weights) {
    ModelLayout layout = layoutOf(block);
    if (!layout.equals(weights.layout())) {
      throw new IllegalArgumentException(
          "weights do not fit this model: model has "
              + layout.describe()
              + ", weights have "
              + weights.layout().describe());
    }
    int offset = 0;
    for (Pair<String, Parameter> p : block.getParameters()) {
      NDArray array = p.getValue().getArray();
      int n = Math.toIntExact(array.size());
      array.set(weights.view(offset, n));
      offset += n;
    }
  }

  private static NDArray requireInitialized(Pair<String, Parameter> p) {
    Parameter param = p.getValue();
    if (!param.isInitialized()) {
      throw new IllegalStateException(
          "parameter '" + p.getKey() + "' is not initialized; call block.initialize first");
    }
    return param.getArray();
  }
}
