package io.flock.models.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The IDX image format of MNIST (LeCun, Cortes and Burges) and Fashion-MNIST (Xiao, Rasul and
 * Vollgraf 2017): 28x28 grey images with labels 0-9, plain or gzipped. Which packages the files come
 * from and where they are cached is {@link DataSets}' business; this class only reads them.
 */
public final class Mnist {

  /** Pixels per image. */
  public static final int PIXELS = 28 * 28;

  /** The four IDX file names, in the order {@link #read(String, Path, List)} takes them. */
  public static final List<String> FILES = List.of(
      "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

  /** Training and test splits. */
  public record Splits(LabeledDataset train, LabeledDataset test) {}

  private Mnist() {}

  /**
   * Reads {@code name/train} and {@code name/test} from {@code dir}; {@code files} are the training
   * images, training labels, test images and test labels, in that order. Pixels are scaled to [0, 1].
   */
  public static Splits read(String name, Path dir, List<String> files) throws IOException {
    if (files.size() != 4) {
      throw new IllegalArgumentException("IDX splits need 4 files, were " + files);
    }
    return new Splits(
        read(name + "/train", dir.resolve(files.get(0)), dir.resolve(files.get(1))),
        read(name + "/test", dir.resolve(files.get(2)), dir.resolve(files.get(3))));
  }

  /** Reads one split from an images file and a labels file; validates that they agree. */
  public static LabeledDataset read(String name, Path images, Path labels) throws IOException {
    IdxReader.IdxData img = IdxReader.read(images, 3);
    IdxReader.IdxData lab = IdxReader.read(labels, 1);
    if (img.dims()[1] != 28 || img.dims()[2] != 28) {
      throw new IOException(
          images + " holds " + img.dims()[1] + "x" + img.dims()[2] + " images; MNIST is 28x28");
    }
    if (img.count() != lab.count()) {
      throw new IOException(
          images + " has " + img.count() + " images but " + labels + " has " + lab.count()
              + " labels");
    }
    byte[] px = img.data();
    float[] features = new float[px.length];
    for (int i = 0; i < px.length; i++) {
      features[i] = (px[i] & 0xff) / 255f;
    }
    byte[] lb = lab.data();
    int[] ys = new int[lb.length];
    for (int i = 0; i < lb.length; i++) {
      ys[i] = lb[i] & 0xff;
      if (ys[i] > 9) {
        throw new IOException(labels + " has label " + ys[i] + " at " + i + "; MNIST labels are 0-9");
      }
    }
    return new LabeledDataset(name, features, ys, PIXELS, 10);
  }
}
