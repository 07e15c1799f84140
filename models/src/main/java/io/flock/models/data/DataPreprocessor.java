package io.flock.models.data;

import java.util.Arrays;

/**
 * Feature scaling fitted on training data only. {@link #minMax} maps every column of the training
 * data to [0, 1]; {@link #standardize} to zero mean and unit variance. Both return a {@link Scaler}
 * whose statistics come from the training set and which is then applied, unchanged, to the test
 * set: fitting on test data would leak it into training. A constant training column (max = min,
 * or variance 0) maps to 0 everywhere instead of dividing by zero.
 *
 * <p>Text is turned into token ids by a {@link Tokenizer}: {@link ByteTokenizer} (char-LM),
 * {@link Gpt2Tokenizer} (GPT-Mini) and {@link WordPieceTokenizer} (BERT-Tiny).
 */
public final class DataPreprocessor {

  private DataPreprocessor() {}

  /**
   * An affine map per column, {@code x' = (x - shift[j]) * scale[j]}, fitted on training data.
   */
  public static final class Scaler {
    private final double[] shift;
    private final double[] scale;

    private Scaler(double[] shift, double[] scale) {
      this.shift = shift;
      this.scale = scale;
    }

    /** Number of columns this scaler was fitted on. */
    public int columns() {
      return shift.length;
    }

    /** Scales row-major {@code values} of {@link #columns()} columns in place. */
    public void applyInPlace(float[] values) {
      int dim = shift.length;
      if (values.length % dim != 0) {
        throw new IllegalArgumentException(
            values.length + " values are not rows of " + dim + " columns");
      }
      for (int i = 0; i < values.length; i++) {
        int j = i % dim;
        values[i] = (float) ((values[i] - shift[j]) * scale[j]);
      }
    }

    /** A new data set with the same labels and the scaled features of {@code data}. */
    public LabeledDataset apply(LabeledDataset data) {
      if (data.featureDim() != shift.length || data.isTokens()) {
        throw new IllegalArgumentException("the scaler was fitted on " + shift.length
            + " feature columns, " + data.name() + " has " + data.featureDim()
            + (data.isTokens() ? " token positions" : ""));
      }
      float[] f = new float[data.size() * data.featureDim()];
      for (int i = 0; i < data.size(); i++) {
        data.copyFeatures(i, f, i * data.featureDim());
      }
      applyInPlace(f);
      return new LabeledDataset(data.name(), f, data.labels(), data.featureDim(), data.numClasses());
    }

    @Override
    public String toString() {
      return "Scaler[columns=" + shift.length + ", shift=" + Arrays.toString(Arrays.copyOf(shift, Math.min(3, shift.length)))
          + "..., scale=" + Arrays.toString(Arrays.copyOf(scale, Math.min(3, scale.length))) + "...]";
    }
  }

  /** Min-max scaling to [0, 1] with the training columns' min and max. */
  public static Scaler minMax(float[] train, int dim) {
    int rows = rows(train, dim);
    double[] min = new double[dim];
    double[] max = new double[dim];
    Arrays.fill(min, Double.POSITIVE_INFINITY);
    Arrays.fill(max, Double.NEGATIVE_INFINITY);
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < dim; j++) {
        double v = train[r * dim + j];
        min[j] = Math.min(min[j], v);
        max[j] = Math.max(max[j], v);
      }
    }
    double[] scale = new double[dim];
    for (int j = 0; j < dim; j++) {
      scale[j] = max[j] > min[j] ? 1.0 / (max[j] - min[j]) : 0.0; // constant column -> 0
    }
    return new Scaler(min, scale);
  }

  /**
   * Standardization with the training columns' mean and (population) standard deviation,
   * accumulated in double with Welford's update.
   */
  public static Scaler standardize(float[] train, int dim) {
    int rows = rows(train, dim);
    double[] mean = new double[dim];
    double[] m2 = new double[dim];
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < dim; j++) {
        double v = train[r * dim + j];
        double delta = v - mean[j];
        mean[j] += delta / (r + 1);
        m2[j] += delta * (v - mean[j]);
      }
    }
    double[] scale = new double[dim];
    for (int j = 0; j < dim; j++) {
      double std = Math.sqrt(m2[j] / rows);
      scale[j] = std > 1e-12 ? 1.0 / std : 0.0; // constant column -> 0
    }
    return new Scaler(mean, scale);
  }

  /** {@link #minMax} fitted on the features of {@code train}. */
  public static Scaler minMax(LabeledDataset train) {
    return minMax(features(train), train.featureDim());
  }

  /** {@link #standardize} fitted on the features of {@code train}. */
  public static Scaler standardize(LabeledDataset train) {
    return standardize(features(train), train.featureDim());
  }

  private static float[] features(LabeledDataset data) {
    float[] f = new float[data.size() * data.featureDim()];
    for (int i = 0; i < data.size(); i++) {
      data.copyFeatures(i, f, i * data.featureDim());
    }
    return f;
  }

  private static int rows(float[] values, int dim) {
    if (dim < 1) {
      throw new IllegalArgumentException("dim must be >= 1, was " + dim);
    }
    if (values.length == 0 || values.length % dim != 0) {
      throw new IllegalArgumentException("need at least one training row of " + dim
          + " columns to fit a scaler, got " + values.length + " values");
    }
    return values.length / dim;
  }
}
