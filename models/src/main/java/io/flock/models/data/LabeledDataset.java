package io.flock.models.data;

/**
 * An in-memory data set: {@code size} samples of {@code featureDim} values in one row-major array,
 * and one integer label per sample. The values are float features (images, tabular rows) or, for
 * a token data set ({@link #ofTokens}), token ids of a fixed-length window of text; there the
 * label is the window's group (the book it comes from), which natural and label-skew partitions
 * split on, and the training targets come from the tokens themselves.
 *
 * <p>Immutable after construction and shared read-only by every node of a JVM: a node's local
 * data is a {@link NodeData} view of indices into it.
 */
public final class LabeledDataset {

  private final String name;
  private final float[] features;
  private final int[] tokens;
  private final int vocabulary;
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
    this(name, features, null, 0, labels, featureDim, numClasses);
  }

  /**
   * A token data set: sample {@code i} is {@code tokens[i * length, (i + 1) * length)}, ids in
   * {@code [0, vocabulary)}; {@code labels[i]} is its group in {@code [0, groups)}.
   */
  public static LabeledDataset ofTokens(
      String name, int[] tokens, int[] labels, int length, int groups, int vocabulary) {
    if (vocabulary < 2) {
      throw new IllegalArgumentException("vocabulary must be >= 2, was " + vocabulary);
    }
    for (int i = 0; i < tokens.length; i++) {
      if (tokens[i] < 0 || tokens[i] >= vocabulary) {
        throw new IllegalArgumentException(
            name + ": token " + tokens[i] + " at " + i + " is outside [0, " + vocabulary + ")");
      }
    }
    return new LabeledDataset(name, null, tokens, vocabulary, labels, length, groups);
  }

  private LabeledDataset(String name, float[] features, int[] tokens, int vocabulary, int[] labels,
      int featureDim, int numClasses) {
    int values = features != null ? features.length : tokens.length;
    if (featureDim <= 0) {
      throw new IllegalArgumentException("featureDim must be > 0, was " + featureDim);
    }
    if (numClasses < (tokens != null ? 1 : 2)) {
      throw new IllegalArgumentException(
          (tokens != null ? "groups must be >= 1" : "numClasses must be >= 2") + ", was " + numClasses);
    }
    if ((long) labels.length * featureDim != values) {
      throw new IllegalArgumentException(
          name
              + ": "
              + labels.length
              + " labels x "
              + featureDim
              + " features needs "
              + ((long) labels.length * featureDim)
              + " values, got "
              + values);
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= numClasses) {
        throw new IllegalArgumentException(
            name + ": label " + labels[i] + " of sample " + i + " is outside [0, " + numClasses + ")");
      }
    }
    this.name = name;
    this.features = features;
    this.tokens = tokens;
    this.vocabulary = vocabulary;
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

  /** Whether samples are token ids ({@link #copyTokens}) rather than float features. */
  public boolean isTokens() {
    return tokens != null;
  }

  /** Size of the token vocabulary the ids come from; 0 for a feature data set. */
  public int vocabulary() {
    return vocabulary;
  }

  /** Values per sample: features, or token positions of a token data set. */
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
    if (features == null) {
      throw new IllegalStateException(name + " holds token ids, not float features");
    }
    System.arraycopy(features, index * featureDim, dst, offset, featureDim);
  }

  /** Copies the token ids of sample {@code index} into {@code dst} at {@code offset}. */
  public void copyTokens(int index, int[] dst, int offset) {
    if (tokens == null) {
      throw new IllegalStateException(name + " holds float features, not token ids");
    }
    System.arraycopy(tokens, index * featureDim, dst, offset, featureDim);
  }

  /** Feature {@code j} of sample {@code index} (feature data sets). */
  public float feature(int index, int j) {
    return features[index * featureDim + j];
  }

  /**
   * At most {@code limit} samples spread evenly over this data set (sample {@code floor(i * size /
   * limit)} for i < limit), so every group of a group-ordered set keeps its share; this set itself
   * when {@code limit} is 0 or not smaller than the size.
   */
  public LabeledDataset spread(int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0 (0 = all), was " + limit);
    }
    if (limit == 0 || limit >= size()) {
      return this;
    }
    int[] l = new int[limit];
    float[] f = features == null ? null : new float[limit * featureDim];
    int[] t = tokens == null ? null : new int[limit * featureDim];
    for (int i = 0; i < limit; i++) {
      int src = (int) ((long) i * size() / limit);
      l[i] = labels[src];
      if (f != null) {
        System.arraycopy(features, src * featureDim, f, i * featureDim, featureDim);
      } else {
        System.arraycopy(tokens, src * featureDim, t, i * featureDim, featureDim);
      }
    }
    return new LabeledDataset(name + "[" + limit + " spread]", f, t, vocabulary, l, featureDim, numClasses);
  }

  /** The first {@code n} samples as a new data set (for quick runs and tests). */
  public LabeledDataset head(int n) {
    if (n <= 0 || n > size()) {
      throw new IllegalArgumentException(
          "head(n) needs 0 < n <= " + size() + " for " + name + ", was " + n);
    }
    int[] l = new int[n];
    System.arraycopy(labels, 0, l, 0, n);
    if (tokens != null) {
      int[] t = java.util.Arrays.copyOf(tokens, n * featureDim);
      return new LabeledDataset(name + "[:" + n + "]", null, t, vocabulary, l, featureDim, numClasses);
    }
    float[] f = new float[n * featureDim];
    System.arraycopy(features, 0, f, 0, f.length);
    return new LabeledDataset(name + "[:" + n + "]", f, l, featureDim, numClasses);
  }
}
