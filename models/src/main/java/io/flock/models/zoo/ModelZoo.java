package io.flock.models.zoo;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import io.flock.models.zoo.ModelSpec.Task;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The models Flock knows by name. */
public final class ModelZoo {

  /** Name of the 2NN of McMahan et al. 2017 (the default model). */
  public static final String MLP_2NN = "mlp-2nn";

  /** Name of multinomial logistic regression. */
  public static final String LOGISTIC = "logistic";

  /** Name of the CNN of McMahan et al. 2017. */
  public static final String CNN = "cnn";

  /** Name of ResNet-18 (He et al. 2016), registered for 224x224 RGB and 1000 classes. */
  public static final String RESNET18 = "resnet18";

  /** Name of the GPT-Mini causal language model. */
  public static final String GPT_MINI = "gpt-mini";

  /** Name of the BERT-Tiny encoder with masked-LM and classification heads. */
  public static final String BERT_TINY = "bert-tiny";

  /** Name of the small char-level LSTM language model. */
  public static final String CHAR_LM = "char-lm";

  /** Token positions of one BERT-Tiny sample: BERT pre-trains 90% of its steps at 128. */
  public static final int BERT_SEQUENCE = 128;

  /** Symbols of one char-LM sample. */
  public static final int CHAR_SEQUENCE = 128;

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
    register(resNet18(3, 224, 1000));
    GptMini.Config gpt = GptMini.Config.DEFAULT;
    register(
        new ModelSpec(
            GPT_MINI,
            String.format(Locale.ROOT,
                "GPT-Mini (GPT-2 form): %d pre-LN layers, hidden %d, %d heads, MLP %d GELU, causal,"
                    + " vocabulary %,d, context %d, LM head tied to the token embedding; %s",
                gpt.layers(), gpt.hidden(), gpt.heads(), 4 * gpt.hidden(), gpt.vocabulary(),
                gpt.context(), size(gpt.params())),
            new Shape(gpt.context()),
            gpt.vocabulary(),
            Task.LANGUAGE_MODEL,
            DataType.INT32,
            () -> new GptMini(gpt)));
    BertTiny.Config bert = BertTiny.Config.DEFAULT;
    register(
        new ModelSpec(
            BERT_TINY,
            String.format(Locale.ROOT,
                "BERT-Tiny: %d post-LN layers, hidden %d, %d heads, intermediate %d, vocabulary %,d,"
                    + " %d positions, 2 token types; MLM head (decoder tied) + [CLS] classifier (%d"
                    + " classes); sequence %d; %s",
                bert.layers(), bert.hidden(), bert.heads(), bert.intermediate(), bert.vocabulary(),
                bert.maxPositions(), bert.classes(), BERT_SEQUENCE, size(bert.params())),
            new Shape(BERT_SEQUENCE),
            bert.vocabulary(),
            Task.MASKED_LM,
            DataType.INT32,
            () -> new BertTiny(bert)));
    CharLm.Config chars = CharLm.Config.DEFAULT;
    register(
        new ModelSpec(
            CHAR_LM,
            String.format(Locale.ROOT,
                "char-level LM: %d symbols (bytes), embedding %d, %d LSTM layers of %d, linear to"
                    + " logits; sequence %d; %s",
                chars.vocabulary(), chars.embedding(), chars.layers(), chars.hidden(), CHAR_SEQUENCE,
                size(chars.params())),
            new Shape(CHAR_SEQUENCE),
            chars.vocabulary(),
            Task.LANGUAGE_MODEL,
            DataType.INT32,
            () -> CharLm.create(chars)));
  }

  /**
   * ResNet-18 for square images of {@code side} pixels with {@code channels} channels: the
   * ImageNet stem from 64 px up, the small-image (CIFAR) stem below.
   */
  public static ModelSpec resNet18(int channels, int side, int classes) {
    if (channels < 1 || side < 8) {
      throw new IllegalArgumentException(
          "ResNet-18 needs >= 1 channel and images of >= 8 px, got " + channels + " and " + side);
    }
    ResNet18.Stem stem = side >= 64 ? ResNet18.Stem.IMAGENET : ResNet18.Stem.SMALL_IMAGE;
    long trainable = ResNet18.trainableParams(channels, classes, stem);
    String description = String.format(Locale.ROOT,
        "ResNet-18 (He et al. 2016, torchvision layout): %dx%dx%d input, %s, BasicBlocks 64-128-256-512,"
            + " %d classes; %,d trainable + %,d BN running stats = %s",
        channels, side, side,
        stem == ResNet18.Stem.IMAGENET ? "7x7/2 stem + 3x3/2 max pool" : "3x3/1 stem, no pool",
        classes, trainable, 2 * ResNet18.BN_CHANNELS,
        size(ResNet18.totalParams(channels, classes, stem)));
    return new ModelSpec(RESNET18, description, new Shape(channels, side, side), classes,
        () -> ResNet18.create(classes, stem));
  }

  /** {@code "N params (X MB float32)"}, MB = 10^6 bytes. */
  static String size(long params) {
    return String.format(Locale.ROOT, "%,d params (%.1f MB float32)", params, params * 4 / 1e6);
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
   * fully connected models adapt to any data set, their registered form is MNIST's 784 / 10;
   * ResNet-18 adapts to square grey or RGB images).
   *
   * @throws IllegalArgumentException for a token model, or a shape the model cannot take
   */
  public static ModelSpec get(String name, int features, int classes) {
    ModelSpec registered = get(name);
    if (registered.task() != Task.CLASSIFICATION) {
      throw new IllegalArgumentException(
          "model '" + name + "' reads token ids (task " + registered.task()
              + "); it does not train on a labelled feature data set");
    }
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
      case RESNET18 -> resNet18(features, classes);
      default -> throw new IllegalArgumentException(
          "model '" + name + "' takes " + registered.sampleSize() + " features and "
              + registered.numClasses() + " classes, not " + features + " and " + classes);
    };
  }

  /** ResNet-18 for square grey ({@code side^2}) or RGB ({@code 3 side^2}) images. */
  private static ModelSpec resNet18(int features, int classes) {
    int grey = (int) Math.round(Math.sqrt(features));
    int rgb = (int) Math.round(Math.sqrt(features / 3.0));
    if (grey * grey == features) {
      return resNet18(1, grey, classes);
    }
    if (3 * rgb * rgb == features) {
      return resNet18(3, rgb, classes);
    }
    throw new IllegalArgumentException(
        "model 'resnet18' takes square images (side^2 grey or 3 side^2 RGB values), not "
            + features + " features");
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
