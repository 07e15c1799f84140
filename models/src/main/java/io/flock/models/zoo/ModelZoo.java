package io.flock.models.zoo;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The models Flock knows by name. */
public final class ModelZoo {

  /** Name of the 2NN of McMahan et al. 2017 (the default model). */
  public static final String MLP_2NN = "mlp-2nn";

  /** Name of multinomial logistic regression. */
  public static final String LOGISTIC = "logistic";

  /** Name of the CNN of McMahan et al. 2017. */
  public static final String CNN = "cnn";

  private static final Map<String, ModelSpec> MODELS = new LinkedHashMap<>();

  static {
    register(
        new ModelSpec(
            MLP_2NN,
            "2NN of McMahan et al. 2017: 784-200-200-10 MLP with ReLU (199,210 params)",
            new Shape(784),
            10,
            () -> mlp(10, 200, 200)));
    register(
        new ModelSpec(
            LOGISTIC,
            "multinomial logistic regression on 784 pixels (7,850 params)",
            new Shape(784),
            10,
            () -> mlp(10)));
    register(
        new ModelSpec(
            CNN,
            "CNN of McMahan et al. 2017: 5x5 conv 32, 2x2 max pool, 5x5 conv 64, 2x2 max pool,"
                + " fc 512, 10 logits (1,663,370 params)",
            new Shape(1, 28, 28),
            10,
            ModelZoo::mcMahanCnn));
  }

  /**
   * The CNN of McMahan et al. 2017 (Sec. 3) for 28x28 grey images: two 5x5 convolutions with 32
   * and 64 channels ("same" padding, ReLU), each followed by 2x2 max pooling, a fully connected
   * layer of 512 ReLU units and a linear layer of 10 logits (the softmax lives in the loss).
   * 832 + 51,264 + 1,606,144 + 5,130 = 1,663,370 parameters, the paper's count.
   */
  public static Block mcMahanCnn() {
    return new SequentialBlock()
        .add(Conv2d.builder().setKernelShape(new Shape(5, 5)).optPadding(new Shape(2, 2)).setFilters(32).build())
        .add(Activation::relu)
        .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
        .add(Conv2d.builder().setKernelShape(new Shape(5, 5)).optPadding(new Shape(2, 2)).setFilters(64).build())
        .add(Activation::relu)
        .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
        .add(Blocks.batchFlattenBlock())
        .add(Linear.builder().setUnits(512).build())
        .add(Activation::relu)
        .add(Linear.builder().setUnits(10).build());
  }

  private ModelZoo() {}

  private static void register(ModelSpec spec) {
    MODELS.put(spec.name(), spec);
  }

  /**
   * A fully connected net: hidden ReLU layers of the given widths, then a linear layer with
   * {@code classes} outputs (logits; the softmax lives in the loss).
   */
  public static Block mlp(int classes, int... hidden) {
    SequentialBlock net = new SequentialBlock();
    for (int width : hidden) {
      net.add(Linear.builder().setUnits(width).build());
      net.add(Activation::relu);
    }
    net.add(Linear.builder().setUnits(classes).build());
    return net;
  }

  /**
   * The model {@code name} for inputs of {@code features} values and {@code classes} outputs (the
   * fully connected models adapt to any data set; their registered form is MNIST's 784 / 10).
   */
  public static ModelSpec get(String name, int features, int classes) {
    ModelSpec registered = get(name);
    if (registered.sampleSize() == features && registered.numClasses() == classes) {
      return registered;
    }
    if (features < 1 || classes < 2) {
      throw new IllegalArgumentException(
          "a model needs >= 1 feature and >= 2 classes, got " + features + " and " + classes);
    }
    return switch (name) {
      case MLP_2NN -> new ModelSpec(MLP_2NN,
          "2NN (" + features + "-200-200-" + classes + " MLP with ReLU)", new Shape(features), classes,
          () -> mlp(classes, 200, 200));
      case LOGISTIC -> new ModelSpec(LOGISTIC,
          "multinomial logistic regression (" + features + " -> " + classes + ")", new Shape(features), classes,
          () -> mlp(classes));
      default -> throw new IllegalArgumentException(
          "model '" + name + "' takes " + registered.sampleSize() + " features and "
              + registered.numClasses() + " classes, not " + features + " and " + classes);
    };
  }

  /** Looks a model up by name; the error lists the known names. */
  public static ModelSpec get(String name) {
    ModelSpec spec = MODELS.get(name);
    if (spec == null) {
      throw new IllegalArgumentException(
          "unknown model '" + name + "'; known models: " + String.join(", ", MODELS.keySet()));
    }
    return spec;
  }

  /** Every registered model, in registration order. */
  public static List<ModelSpec> all() {
    return List.copyOf(MODELS.values());
  }
}
