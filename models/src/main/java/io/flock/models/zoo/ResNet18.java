package io.flock.models.zoo;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import java.util.List;

/**
 * ResNet-18 of He et al. 2016 ("Deep Residual Learning for Image Recognition", CVPR, Table 1),
 * laid out as torchvision's {@code resnet18}: a stem, four stages of two BasicBlocks with 64, 128,
 * 256 and 512 channels (stride 2 and a 1x1 convolution + BN shortcut at the first block of stages
 * 2-4), global average pooling and a fully connected layer of logits. Convolutions have no bias
 * (batch normalization follows each one). DJL's zoo {@code ResNetV1} is a different net.
 *
 * <p>Two stems: {@link Stem#IMAGENET} (7x7/2 convolution, 64 channels, BN, ReLU, 3x3/2 max pool)
 * for 224 px images, and {@link Stem#SMALL_IMAGE} (3x3/1 convolution, BN, ReLU, no pool), the
 * usual CIFAR variant for 28-32 px inputs, which keeps the 4x4 resolution of the last stage.
 *
 * <p>Parameters, {@code c} input channels, {@code k} the stem kernel (7 or 3), {@code K} classes:
 *
 * <pre>
 *   trainable = 64*c*k*k + 128        stem conv + BN gamma/beta
 *             + 11,166,976            the four stages (convolutions and BN gamma/beta)
 *             + 513*K                 fc weight 512*K + bias K
 *   = 9,408 + 128 + 11,166,976 + 513,000 = 11,689,512 at c = 3, k = 7, K = 1000 (torchvision)
 *   stages: 147,968 + 525,568 + 2,099,712 + 8,393,728 = 11,166,976
 *   BN running statistics (not trainable): 2 * 4,800 = 9,600 (20 BN layers, 4,800 channels)
 * </pre>
 *
 * <p>DJL's {@link BatchNorm} registers its running mean and variance as parameters that need no
 * gradient, so they are part of {@code Block.getParameters()} and of the flat {@code
 * ModelWeights}: they travel with the model and FedAvg averages them like the weights, the usual
 * practice for federated BN nets (FedAvg over the whole state dict). The optimizer never updates
 * them; the forward pass does, in training mode. BN momentum 0.9 in DJL's convention is
 * PyTorch's 0.1; epsilon 1e-5, as torchvision.
 */
public final class ResNet18 {

  /** How the network reads its input before the first stage. */
  public enum Stem {
    /** 7x7/2 convolution, BN, ReLU, 3x3/2 max pool: He et al. 2016 for 224 px ImageNet. */
    IMAGENET,
    /** 3x3/1 convolution, BN, ReLU, no pooling: the CIFAR variant for 28-32 px images. */
    SMALL_IMAGE
  }

  /** Trainable parameters of the four stages, independent of input channels and classes. */
  public static final long STAGE_PARAMS = 11_166_976L;

  /** BN channels over the whole net (stem 64, stages 256 + 640 + 1,280 + 2,560). */
  public static final long BN_CHANNELS = 4_800L;

  private static final int[] WIDTHS = {64, 128, 256, 512};

  private ResNet18() {}

  /**
   * A new ResNet-18.
   *
   * @param classes number of logits, >= 2
   * @param stem {@link Stem#IMAGENET} for large images, {@link Stem#SMALL_IMAGE} for 28-32 px
   */
  public static Block create(int classes, Stem stem) {
    if (classes < 2) {
      throw new IllegalArgumentException("classes must be >= 2, was " + classes);
    }
    SequentialBlock net = new SequentialBlock();
    if (stem == Stem.IMAGENET) {
      net.add(conv(64, 7, 2)).add(bn()).add(Activation::relu)
          .add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)));
    } else {
      net.add(conv(64, 3, 1)).add(bn()).add(Activation::relu);
    }
    int in = 64;
    for (int stage = 0; stage < WIDTHS.length; stage++) {
      int width = WIDTHS[stage];
      net.add(basicBlock(in, width, stage == 0 ? 1 : 2));
      net.add(basicBlock(width, width, 1));
      in = width;
    }
    return net.add(Pool.globalAvgPool2dBlock())
        .add(Blocks.batchFlattenBlock())
        .add(Linear.builder().setUnits(classes).build());
  }

  /** Trainable parameters for {@code channels} input channels and {@code classes} outputs. */
  public static long trainableParams(int channels, int classes, Stem stem) {
    long k = stem == Stem.IMAGENET ? 7 : 3;
    return 64L * channels * k * k + 128 + STAGE_PARAMS + 513L * classes;
  }

  /** All parameters in the flat weights: trainable ones plus BN running mean and variance. */
  public static long totalParams(int channels, int classes, Stem stem) {
    return trainableParams(channels, classes, stem) + 2 * BN_CHANNELS;
  }

  /**
   * {@code relu(F(x) + shortcut(x))} with {@code F} = conv3x3(stride)-BN-ReLU-conv3x3-BN; the
   * shortcut is the identity, or a 1x1 convolution with the stride + BN when the shape changes
   * (option B of He et al. 2016, Sec. 3.3, as torchvision).
   */
  private static Block basicBlock(int in, int out, int stride) {
    Block residual = new SequentialBlock()
        .add(conv(out, 3, stride)).add(bn()).add(Activation::relu)
        .add(conv(out, 3, 1)).add(bn());
    Block shortcut = stride == 1 && in == out
        ? Blocks.identityBlock()
        : new SequentialBlock().add(conv(out, 1, stride)).add(bn());
    return new ParallelBlock(
        outputs -> new NDList(Activation.relu(
            outputs.get(0).singletonOrThrow().add(outputs.get(1).singletonOrThrow()))),
        List.of(residual, shortcut));
  }

  /** A bias-free {@code kernel x kernel} convolution with "same" padding for odd kernels. */
  private static Block conv(int filters, int kernel, int stride) {
    return Conv2d.builder()
        .setFilters(filters)
        .setKernelShape(new Shape(kernel, kernel))
        .optStride(new Shape(stride, stride))
        .optPadding(new Shape(kernel / 2, kernel / 2))
        .optBias(false)
        .build();
  }

  private static Block bn() {
    return BatchNorm.builder().optEpsilon(1e-5f).optMomentum(0.9f).build();
  }
}
