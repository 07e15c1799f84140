package io.flock.models.data;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;

/**
 * GPT-2's byte-level BPE (Radford et al. 2019), the {@code r50k_base} encoding of jtokkit: 50,257
 * ids, the last being {@code <|endoftext|>}. Flock's GPT-Mini has a vocabulary of 50,000, so ids
 * {@code >= vocabulary} (the 256 latest merges, 50,000 to 50,255, and {@code <|endoftext|>}) are
 * mapped to the unknown id {@code vocabulary - 1}. That id is also a real BPE merge ({@code
 * 49,999}); sharing it costs one rare merge and keeps the model's vocabulary as designed. The
 * latest merges are the rarest, so in English prose this touches well under 0.1% of tokens
 * ({@link #unknownShare} measures it).
 */
public final class Gpt2Tokenizer implements Tokenizer {

  /** Ids of {@code r50k_base}. */
  public static final int BPE_VOCABULARY = 50_257;

  private final Encoding encoding;
  private final int vocabulary;

  /** GPT-2 BPE capped at {@code vocabulary} ids (50,000 for GPT-Mini). */
  public Gpt2Tokenizer(int vocabulary) {
    if (vocabulary < 256 || vocabulary > BPE_VOCABULARY) {
      throw new IllegalArgumentException(
          "vocabulary must be in [256, " + BPE_VOCABULARY + "], was " + vocabulary);
    }
    this.encoding = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.R50K_BASE);
    this.vocabulary = vocabulary;
  }

  /** The id that stands for every BPE id outside the vocabulary. */
  public int unknownId() {
    return vocabulary - 1;
  }

  @Override
  public int[] encode(String text) {
    int[] ids = encoding.encodeOrdinary(text).toArray();
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] >= vocabulary) {
        ids[i] = unknownId();
      }
    }
    return ids;
  }

  /** Share of BPE tokens of {@code text} that fall outside the vocabulary. */
  public double unknownShare(String text) {
    int[] raw = encoding.encodeOrdinary(text).toArray();
    long out = java.util.Arrays.stream(raw).filter(id -> id >= vocabulary).count();
    return raw.length == 0 ? 0 : (double) out / raw.length;
  }

  @Override
  public String decode(int[] ids) {
    IntArrayList list = new IntArrayList(ids.length);
    for (int id : ids) {
      list.add(id);
    }
    return encoding.decode(list);
  }

  @Override
  public int vocabularySize() {
    return vocabulary;
  }

  @Override
  public String describe() {
    return "GPT-2 BPE r50k_base, ids >= " + vocabulary + " -> " + unknownId();
  }
}
