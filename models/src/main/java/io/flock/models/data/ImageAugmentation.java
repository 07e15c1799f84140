package io.flock.models.data;

import java.util.Random;

/**
 * Seeded image augmentation of one {@code (channels, height, width)} sample in place: a random
 * crop of the image padded with zeros by {@code padding} pixels on each side (a shift by up to
 * {@code padding} pixels in each direction, as the CIFAR recipe of He et al. 2016), a horizontal
 * flip with probability 1/2, and Gaussian pixel noise of standard deviation {@code noiseStd}.
 * Each part is off when its setting is 0 / false.
 */
public final class ImageAugmentation {

  private final int channels;
  private final int height;
  private final int width;
  private final int padding;
  private final boolean flip;
  private final double noiseStd;

  /** Validates the settings; messages name the setting and the rule. */
  public ImageAugmentation(int channels, int height, int width, int padding, boolean flip, double noiseStd) {
    if (channels < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException(
          "image shape must be positive, was " + channels + "x" + height + "x" + width);
    }
    if (padding < 0 || padding >= Math.min(height, width)) {
      throw new IllegalArgumentException("padding must be in [0, " + Math.min(height, width) + "), was " + padding);
    }
    if (!(noiseStd >= 0) || Double.isInfinite(noiseStd)) {
      throw new IllegalArgumentException("noiseStd must be >= 0 and finite, was " + noiseStd);
    }
    this.channels = channels;
    this.height = height;
    this.width = width;
    this.padding = padding;
    this.flip = flip;
    this.noiseStd = noiseStd;
  }

  /** Crop with padding 2, flips and noise 0.01 for 28x28 grey images (MNIST, Fashion-MNIST). */
  public static ImageAugmentation standard28() {
    return new ImageAugmentation(1, 28, 28, 2, true, 0.01);
  }

  /** Values per image. */
  public int size() {
    return channels * height * width;
  }

  /** Augments the image at {@code values[offset, offset + size())} in place. */
  public void apply(float[] values, int offset, Random random) {
    int dy = padding == 0 ? 0 : random.nextInt(2 * padding + 1) - padding;
    int dx = padding == 0 ? 0 : random.nextInt(2 * padding + 1) - padding;
    boolean mirror = flip && random.nextBoolean();
    if (dx != 0 || dy != 0 || mirror) {
      float[] src = new float[size()];
      System.arraycopy(values, offset, src, 0, src.length);
      for (int c = 0; c < channels; c++) {
        int plane = c * height * width;
        for (int y = 0; y < height; y++) {
          int sy = y + dy;
          for (int x = 0; x < width; x++) {
            int sx = (mirror ? width - 1 - x : x) + dx;
            values[offset + plane + y * width + x] =
                sy >= 0 && sy < height && sx >= 0 && sx < width ? src[plane + sy * width + sx] : 0f;
          }
        }
      }
    }
    if (noiseStd > 0) {
      for (int i = 0; i < size(); i++) {
        values[offset + i] += (float) (noiseStd * random.nextGaussian());
      }
    }
  }
}
