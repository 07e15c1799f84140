package io.flock.privacy.crypto;

import java.security.SecureRandom;
import java.util.Objects;
import org.bouncycastle.crypto.engines.ChaChaEngine;

/**
 * A deterministic, cryptographically secure pseudo-random generator: the ChaCha20 keystream
 * (Bernstein 2008, "ChaCha, a variant of Salsa20") for a 256-bit key and a 64-bit nonce, read as
 * 32- and 64-bit little-endian words.
 *
 * <p>The block function is Bouncy Castle's {@link ChaChaEngine#chachaCore} (20 rounds plus the
 * feed-forward); this class only lays out the state as in Bernstein's original ChaCha: the four
 * constant words, the key in words 4-11, a 64-bit block counter in words 12-13 and the nonce in
 * words 14-15. Its output is therefore the keystream of Bouncy Castle's {@code ChaChaEngine} for
 * the same key and the nonce as 8 little-endian IV bytes, without the cost of encrypting zeros and
 * repacking bytes. One {@code (key, nonce)} pair yields 2^70 bytes; a caller must never use the
 * same pair for two purposes.
 *
 * <p>Not thread-safe: one instance per thread or per chunk of work. The key is copied into the
 * state and never exposed; {@link #toString} shows none of it.
 */
public final class ChaCha20Prg {

  /** Key length in bytes (256 bits). */
  public static final int KEY_BYTES = 32;

  private static final int ROUNDS = 20;
  // "expand 32-byte k" as four little-endian words.
  private static final int[] SIGMA = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};

  private final int[] state = new int[16];
  private final int[] block = new int[16];
  private int position = 16; // next unread word of block; 16 = empty

  /**
   * Creates the generator for {@code key} and {@code nonce}, starting at block 0.
   *
   * @param key 32 bytes, copied
   * @param nonce distinguishes independent streams under one key
   */
  public ChaCha20Prg(byte[] key, long nonce) {
    checkKey(key);
    System.arraycopy(SIGMA, 0, state, 0, 4);
    for (int i = 0; i < 8; i++) {
      state[4 + i] = littleEndianInt(key, 4 * i);
    }
    state[12] = 0;
    state[13] = 0;
    state[14] = (int) nonce;
    state[15] = (int) (nonce >>> 32);
  }

  /** Returns a fresh 256-bit key drawn from {@code random}. */
  public static byte[] newKey(SecureRandom random) {
    byte[] key = new byte[KEY_BYTES];
    Objects.requireNonNull(random, "random must not be null").nextBytes(key);
    return key;
  }

  /**
   * Validates a key's length.
   *
   * @throws IllegalArgumentException if {@code key} is null or not {@value #KEY_BYTES} bytes
   */
  public static void checkKey(byte[] key) {
    if (key == null || key.length != KEY_BYTES) {
      throw new IllegalArgumentException(
          "key must be " + KEY_BYTES + " bytes, was " + (key == null ? "null" : key.length));
    }
  }

  /** Returns the next 32 keystream bits. */
  public int nextInt() {
    if (position == 16) {
      refill();
    }
    return block[position++];
  }

  /** Returns the next 64 keystream bits (two words, the first one low). */
  public long nextLong() {
    if (position > 14) {
      if (position == 15) {
        // An odd word is left over: compose across the block boundary to keep the stream exact.
        long low = block[15] & 0xFFFFFFFFL;
        refill();
        return low | ((long) block[position++] << 32);
      }
      refill();
    }
    long low = block[position] & 0xFFFFFFFFL;
    long high = block[position + 1];
    position += 2;
    return low | (high << 32);
  }

  /** Returns a uniform double in {@code [0, 1)} with 53 random bits. */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Returns a uniform double in {@code (0, 1]} with 53 random bits; never 0, safe under log. */
  public double nextDoubleNonZero() {
    return ((nextLong() >>> 11) + 1) * 0x1.0p-53;
  }

  private void refill() {
    ChaChaEngine.chachaCore(ROUNDS, state, block);
    if (++state[12] == 0 && ++state[13] == 0) {
      throw new IllegalStateException("ChaCha20 block counter exhausted (2^64 blocks)");
    }
    position = 0;
  }

  private static int littleEndianInt(byte[] b, int off) {
    return (b[off] & 0xFF)
        | (b[off + 1] & 0xFF) << 8
        | (b[off + 2] & 0xFF) << 16
        | (b[off + 3] & 0xFF) << 24;
  }

  @Override
  public String toString() {
    return "ChaCha20Prg[key=<redacted>]";
  }
}
