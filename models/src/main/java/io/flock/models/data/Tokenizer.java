package io.flock.models.data;

/**
 * Turns text into token ids of a fixed vocabulary {@code [0, vocabularySize())}. Every
 * implementation maps text it cannot represent to an unknown id rather than failing, so any text
 * encodes.
 */
public interface Tokenizer {

  /** The token ids of {@code text}. */
  int[] encode(String text);

  /** Text for {@code ids} (lossy where ids stand for unknown text). */
  String decode(int[] ids);

  /** Number of distinct ids. */
  int vocabularySize();

  /** Short description for logs and {@code flock datasets}. */
  String describe();
}
