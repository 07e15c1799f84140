package io.flock.models.data;

import java.util.Random;

/**
 * Seeded token-level augmentation of a language model's inputs: token dropout (each token
 * replaced by {@code dropoutId} with probability {@code dropout}) and local swaps (each adjacent
 * pair exchanged with probability {@code swap}), as in the noising of Xie et al. 2017 and the
 * word-order noise of Lample et al. 2018. {@link MlmMasking} is BERT's masking recipe.
 */
public final class TextAugmentation {

  private final double dropout;
  private final int dropoutId;
  private final double swap;

  /** Validates the probabilities. */
  public TextAugmentation(double dropout, int dropoutId, double swap) {
    checkProbability("dropout", dropout);
    checkProbability("swap", swap);
    this.dropout = dropout;
    this.dropoutId = dropoutId;
    this.swap = swap;
  }

  /** Augments {@code tokens[offset, offset + length)} in place. */
  public void apply(int[] tokens, int offset, int length, Random random) {
    for (int i = 0; i < length; i++) {
      if (dropout > 0 && random.nextDouble() < dropout) {
        tokens[offset + i] = dropoutId;
      }
    }
    for (int i = 0; i + 1 < length; i++) {
      if (swap > 0 && random.nextDouble() < swap) {
        int t = tokens[offset + i];
        tokens[offset + i] = tokens[offset + i + 1];
        tokens[offset + i + 1] = t;
        i++; // a token moves at most one place
      }
    }
  }

  private static void checkProbability(String name, double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException(name + " must be in [0, 1], was " + p);
    }
  }

  /**
   * BERT's masked-LM corruption (Devlin et al. 2019, Sec. 3.1 and Appendix A.1): each regular
   * token (id >= {@code firstRegular}; special tokens are never chosen) is chosen with probability
   * {@code rate} (0.15); a chosen token is replaced by {@code maskId} 80% of the time, by a
   * uniformly random regular id 10% of the time and kept 10% of the time, and its original id
   * becomes the target. Every other position gets the target {@link #IGNORE}.
   */
  public static final class MlmMasking {

    /** Target of a position that is not predicted. */
    public static final int IGNORE = -1;

    private final double rate;
    private final int maskId;
    private final int firstRegular;
    private final int vocabulary;

    /** Validates the recipe's settings. */
    public MlmMasking(double rate, int maskId, int firstRegular, int vocabulary) {
      checkProbability("rate", rate);
      if (firstRegular < 0 || firstRegular >= vocabulary) {
        throw new IllegalArgumentException(
            "firstRegular must be in [0, " + vocabulary + "), was " + firstRegular);
      }
      this.rate = rate;
      this.maskId = maskId;
      this.firstRegular = firstRegular;
      this.vocabulary = vocabulary;
    }

    /** The 15% recipe with {@link WordPieceTokenizer}'s special ids. */
    public static MlmMasking bert(int vocabulary) {
      return new MlmMasking(0.15, WordPieceTokenizer.MASK, WordPieceTokenizer.FIRST_REGULAR, vocabulary);
    }

    /** Masks {@code tokens[offset, offset + length)} in place and writes the targets there. */
    public void apply(int[] tokens, int[] targets, int offset, int length, Random random) {
      for (int i = offset; i < offset + length; i++) {
        int id = tokens[i];
        if (id < firstRegular || random.nextDouble() >= rate) {
          targets[i] = IGNORE;
          continue;
        }
        targets[i] = id;
        double r = random.nextDouble();
        if (r < 0.8) {
          tokens[i] = maskId;
        } else if (r < 0.9) {
          tokens[i] = firstRegular + random.nextInt(vocabulary - firstRegular);
        } // else: kept
      }
    }
  }
}
