package io.flock.models.data;

/**
 * One minibatch as plain Java arrays, built by a {@link DataLoader} and turned into NDArrays by the
 * trainer. A feature batch has {@code features} ({@code size x sampleLength}, row-major) and one
 * class label per sample in {@code targets}; a token batch has input ids {@code tokens} ({@code
 * size x sampleLength}) and one target id per position in {@code targets} (negative: the position
 * does not count in the loss, as for BERT's unmasked positions).
 */
public final class Batch {

  private final int size;
  private final int sampleLength;
  private final float[] features;
  private final int[] tokens;
  private final int[] targets;

  Batch(int size, int sampleLength, boolean tokenInput, int targetsPerSample) {
    this.size = size;
    this.sampleLength = sampleLength;
    this.features = tokenInput ? null : new float[size * sampleLength];
    this.tokens = tokenInput ? new int[size * sampleLength] : null;
    this.targets = new int[size * targetsPerSample];
  }

  /** Number of samples. */
  public int size() {
    return size;
  }

  /** Values (features or token positions) per sample. */
  public int sampleLength() {
    return sampleLength;
  }

  /** Whether the inputs are token ids. */
  public boolean isTokens() {
    return tokens != null;
  }

  /** Row-major float features, or null for a token batch. */
  public float[] features() {
    return features;
  }

  /** Row-major token ids, or null for a feature batch. */
  public int[] tokens() {
    return tokens;
  }

  /** Class labels (one per sample) or per-position target ids. */
  public int[] targets() {
    return targets;
  }

  /** Number of targets per sample: 1 for a classifier, {@code sampleLength} for a token model. */
  public int targetsPerSample() {
    return targets.length / size;
  }

  @Override
  public String toString() {
    return "Batch[size=" + size + ", sampleLength=" + sampleLength + (tokens != null ? ", tokens" : ", features") + "]";
  }
}
