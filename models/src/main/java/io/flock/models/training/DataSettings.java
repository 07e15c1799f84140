package io.flock.models.training;

/**
 * How a trainer's {@link io.flock.models.data.DataLoader} builds batches.
 *
 * @param numWorkers threads assembling batches ahead of training; 0 = on the training thread
 * @param prefetchFactor batches in flight per worker, >= 1
 * @param augment images: random crop with 2 px padding, horizontal flip, Gaussian noise of std
 *     0.01 ({@link io.flock.models.data.ImageAugmentation}); language models: token dropout 0.05
 *     and adjacent swaps 0.05 on the inputs ({@link io.flock.models.data.TextAugmentation}).
 *     BERT's masking is not an option: it is how a masked LM trains.
 */
public record DataSettings(int numWorkers, int prefetchFactor, boolean augment) {

  /** Inline batches, no augmentation: the setting every seeded result so far was measured with. */
  public static final DataSettings DEFAULT = new DataSettings(0, 2, false);

  /** Validates the fields. */
  public DataSettings {
    if (numWorkers < 0) {
      throw new IllegalArgumentException("numWorkers must be >= 0 (0 = inline), was " + numWorkers);
    }
    if (prefetchFactor < 1) {
      throw new IllegalArgumentException("prefetchFactor must be >= 1, was " + prefetchFactor);
    }
  }
}
