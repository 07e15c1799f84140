package io.flock.models.data;

import java.util.Random;

/**
 * Turns sample {@code index} of a data set into slot {@code slot} of a batch: copies its inputs,
 * writes its targets and applies any augmentation with {@code random}, a generator seeded from
 * (loader seed, epoch, position in the epoch), so results do not depend on which worker thread
 * runs it. Implementations are stateless and thread-safe.
 */
public interface SampleTransform {

  /** Values per sample in the batch. */
  int sampleLength(LabeledDataset data);

  /** Whether the batch inputs are token ids. */
  boolean tokenInput();

  /** Targets per sample: 1 for a class label, the sample length for per-position targets. */
  int targetsPerSample(LabeledDataset data);

  /** Fills slot {@code slot} of {@code batch} from sample {@code index} of {@code data}. */
  void apply(LabeledDataset data, int index, Random random, Batch batch, int slot);

  /** Features and the class label, optionally augmented. */
  static SampleTransform classification(ImageAugmentation augmentation) {
    return of(0, false, false, (data, index, random, batch, slot, dim) -> {
      data.copyFeatures(index, batch.features(), slot * dim);
      if (augmentation != null) {
        augmentation.apply(batch.features(), slot * dim, random);
      }
      batch.targets()[slot] = data.label(index);
    });
  }

  /**
   * Next-token prediction over a window of {@code L + 1} tokens: inputs are the first {@code L},
   * targets the last {@code L}; augmentation (token dropout, swaps) touches the inputs only.
   */
  static SampleTransform nextToken(TextAugmentation augmentation) {
    return of(1, true, true, (data, index, random, batch, slot, len) -> {
      int[] window = new int[len + 1];
      data.copyTokens(index, window, 0);
      System.arraycopy(window, 0, batch.tokens(), slot * len, len);
      System.arraycopy(window, 1, batch.targets(), slot * len, len);
      if (augmentation != null) {
        augmentation.apply(batch.tokens(), slot * len, len, random);
      }
    });
  }

  /** BERT's masked LM: the window masked by {@code masking}; targets at the masked positions only. */
  static SampleTransform maskedLm(TextAugmentation.MlmMasking masking) {
    return of(0, true, true, (data, index, random, batch, slot, len) -> {
      data.copyTokens(index, batch.tokens(), slot * len);
      masking.apply(batch.tokens(), batch.targets(), slot * len, len, random);
    });
  }

  /** Fills one batch slot of {@code length} values from a sample. */
  @FunctionalInterface
  interface Fill {
    void apply(LabeledDataset data, int index, Random random, Batch batch, int slot, int length);
  }

  /**
   * A transform whose samples are the data set's {@code featureDim() - shorterBy} values, given as
   * token ids or features, with one target per sample or one per position.
   */
  private static SampleTransform of(int shorterBy, boolean tokens, boolean perPosition, Fill fill) {
    return new SampleTransform() {
      @Override
      public int sampleLength(LabeledDataset data) {
        return data.featureDim() - shorterBy;
      }

      @Override
      public boolean tokenInput() {
        return tokens;
      }

      @Override
      public int targetsPerSample(LabeledDataset data) {
        return perPosition ? sampleLength(data) : 1;
      }

      @Override
      public void apply(LabeledDataset data, int index, Random random, Batch batch, int slot) {
        fill.apply(data, index, random, batch, slot, sampleLength(data));
      }
    };
  }
}
