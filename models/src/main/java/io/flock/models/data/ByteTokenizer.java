package io.flock.models.data;

import java.nio.charset.StandardCharsets;

/**
 * The char-LM's tokenizer: the UTF-8 bytes of the text, vocabulary 256. Nothing is out of
 * vocabulary; a non-ASCII character becomes two to four tokens.
 */
public final class ByteTokenizer implements Tokenizer {

  @Override
  public int[] encode(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    int[] ids = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      ids[i] = bytes[i] & 0xff;
    }
    return ids;
  }

  @Override
  public String decode(int[] ids) {
    byte[] bytes = new byte[ids.length];
    for (int i = 0; i < ids.length; i++) {
      bytes[i] = (byte) ids[i];
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Override
  public int vocabularySize() {
    return 256;
  }

  @Override
  public String describe() {
    return "UTF-8 bytes (256 symbols)";
  }
}
