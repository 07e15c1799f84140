package io.flock.models.data;

/**
 * An in-memory classification data set: {@code size} samples of {@code featureDim} float
 * features in one row-major array, and one integer label per sample.
 *
 * <p>Immutable after construction and shared read-only by every node of a JVM: a node's local
 * data is a {@link NodeData} view of indices into it.
 */
public final class LabeledDataset {

  private final String name;
  private final float[] features;
  private final int[] labels;
  private final int featureDim;
  private final int numClasses;

  /**
   * @param name data set name for messages, e.g. {@code mnist/train}
   * @param features row-major features, {@code labels.length * featureDim} values (not copied)
   * @param labels labels in {@code [0, numClasses)} (not copied)
   */
  public LabeledDataset(
      String name, float[] features, int[] labels, int featureDim, int numClasses) {
    if (featureDim <= 0) {
      throw new IllegalArgumentException("featureDim must be > 0, was " + featureDim);
    }
    if (numClasses < 2) {
      throw new IllegalArgumentException("numClasses must be >= 2, was " + numClasses);
    }
    if ((long) labels.length * featureDim != features.length) {
      throw new IllegalArgumentException(
          name
              + ": "
              + labels.length
              + " labels x "
              + featureDim
              + " features needs "
              + ((long) labels.length * featureDim)
              + " values, got "
              + features.length);
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= numClasses) {
        throw new IllegalArgumentException(
            name + ": label " + labels[i] + " of sample " + i + " is outside [0, " + numClasses + ")");
      }
    }
    this.name = name;
    this.features = features;
    this.labels = labels;
    this.featureDim = featureDim;
    this.numClasses = numClasses;
  }

  public String name() {
    return name;
  }

  public int size() {
    return labels.length;
  }

  public int featureDim() {
    return featureDim;
  }

  public int numClasses() {
    return numClasses;
  }

  public int label(int index) {
    return labels[index];
  }

  /** A copy of all labels. */
  public int[] labels() {
    return labels.clone();
  }

  /** Copies the features of sample {@code index} into {@code dst} at {@code offset}. */
  public void copyFeatures(int index, float[] dst, int offset) {
    System.arraycopy(features, index * featureDim, dst, offset, featureDim);
  }

  /** The first {@code n} samples as a new data set (for quick runs and tests). */
  public LabeledDataset head(int n) {
    if (n <= 0 || n > size()) {
      throw new IllegalArgumentException(
          "head(n) needs 0 < n <= " + size() + " for " + name + ", was " + n);
    }
    float[] f = new float[n * featureDim];
    System.arraycopy(features, 0, f, 0, f.length);
    int[] l = new int[n];
    System.arraycopy(labels, 0, l, 0, n);
    return new LabeledDataset(name + "[:" + n + "]", f, l, featureDim, numClasses);
  }
}
