package io.flock.models.zoo;

import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.recurrent.LSTM;

/**
 * A small character-level language model in the manner of Karpathy's char-rnn: an embedding of
 * the symbols (bytes by default), a stack of LSTM layers (Hochreiter and Schmidhuber 1997, DJL's
 * {@link LSTM}, the PyTorch LSTM on that engine) and a linear layer to next-symbol logits.
 *
 * <p>Input: symbol ids {@code (batch, seq)}; output: logits {@code (batch, seq, vocabulary)},
 * causal by construction (the LSTM reads left to right).
 *
 * <p>Parameters, {@code V} vocabulary, {@code E} embedding, {@code H} state, {@code L} layers;
 * each LSTM layer has input and recurrent weights for 4 gates and two bias vectors, as PyTorch:
 *
 * <pre>
 *   V E  +  4 H (E + H) + 8 H  +  (L - 1) (4 H (2 H) + 8 H)  +  H V + V
 *   default V = 256, E = 64, H = 256, L = 2:
 *   16,384 + 329,728 + 526,336 + 65,792 = 938,240 (3.75 MB float32)
 * </pre>
 */
public final class CharLm {

  /** Configuration of a char-level LM. */
  public record Config(int vocabulary, int embedding, int hidden, int layers) {

    /** Bytes (256 symbols), embedding 64, two LSTM layers of 256. */
    public static final Config DEFAULT = new Config(256, 64, 256, 2);

    /** Validates every field. */
    public Config {
      if (vocabulary < 2 || embedding < 1 || hidden < 1 || layers < 1) {
        throw new IllegalArgumentException(
            "char-LM needs vocabulary >= 2, embedding >= 1, hidden >= 1 and layers >= 1, was "
                + vocabulary + ", " + embedding + ", " + hidden + ", " + layers);
      }
    }

    /** Trainable parameters; see the class comment for the formula. */
    public long params() {
      long v = vocabulary;
      long e = embedding;
      long h = hidden;
      long lstm = 4 * h * (e + h) + 8 * h + (layers - 1) * (4 * h * (2 * h) + 8 * h);
      return v * e + lstm + h * v + v;
    }
  }

  private CharLm() {}

  /** A new, uninitialized char-level LM. */
  public static Block create(Config config) {
    return new SequentialBlock()
        .add(new TokenEmbedding(config.vocabulary(), config.embedding()))
        .add(LSTM.builder()
            .setStateSize(config.hidden())
            .setNumLayers(config.layers())
            .optBatchFirst(true)
            .build())
        .add(Linear.builder().setUnits(config.vocabulary()).build());
  }
}
