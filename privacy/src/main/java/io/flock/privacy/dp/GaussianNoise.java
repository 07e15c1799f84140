package io.flock.privacy.dp;

import io.flock.privacy.crypto.ChaCha20Prg;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * Gaussian noise for differential privacy from a cryptographically secure generator: ChaCha20
 * ({@link ChaCha20Prg}) keyed from {@link SecureRandom}, turned into normals by the exact Ziggurat
 * method ({@link Ziggurat}). Never {@code java.util.Random}: a predictable generator lets whoever
 * can predict the noise subtract it, and the guarantee is gone.
 *
 * <p>Streams: every call on an instance gets a fresh call number {@code c}, and the array is cut
 * into chunks of {@value #CHUNK} values; chunk {@code k} of call {@code c} draws from the ChaCha20
 * stream with nonce {@code (c << 32) | k}. No stream is ever read twice, and the result depends
 * only on the key and the call number, not on threads: {@link #addNoiseParallel} gives exactly
 * what {@link #addNoise} gives.
 *
 * <p>Instances are thread-safe. {@link #create()} draws a secret key; {@link #withKey} fixes one,
 * which makes the noise reproducible and therefore worthless for privacy: for tests and
 * deterministic simulations only. The key never appears in {@link #toString}.
 *
 * <p>Values are drawn in double precision and rounded once into a float update. (Floating-point
 * normals are not exactly Gaussian in their last bits; the discrete-Gaussian remedies, e.g.
 * Canonne, Kamath and Steinke 2020, are out of scope here.)
 */
public final class GaussianNoise {

  /** Values per independent stream; also the unit of parallel work. */
  public static final int CHUNK = 1 << 16;

  private static final long MAX_CALLS = 1L << 32;

  private final byte[] key;
  private final AtomicLong calls = new AtomicLong();

  private GaussianNoise(byte[] key) {
    ChaCha20Prg.checkKey(key);
    this.key = key.clone();
  }

  /** Returns a generator with a fresh secret key from a default {@link SecureRandom}. */
  public static GaussianNoise create() {
    return create(new SecureRandom());
  }

  /** Returns a generator with a fresh secret key from {@code random}. */
  public static GaussianNoise create(SecureRandom random) {
    return new GaussianNoise(ChaCha20Prg.newKey(random));
  }

  /**
   * Returns a generator with a fixed key: reproducible, hence for tests and simulations only.
   *
   * @param key 32 bytes, copied
   */
  public static GaussianNoise withKey(byte[] key) {
    return new GaussianNoise(key);
  }

  /** Adds independent {@code N(0, std^2)} noise to every value, in place. */
  public void addNoise(float[] values, double std) {
    run(values.length, std, false, (from, to, prg) -> addChunk(values, from, to, std, prg));
  }

  /**
   * Same result as {@link #addNoise} for the same call number, computed on the common fork-join
   * pool, one chunk per task. Use where the caller may occupy all cores (a blocking dispatcher).
   */
  public void addNoiseParallel(float[] values, double std) {
    run(values.length, std, true, (from, to, prg) -> addChunk(values, from, to, std, prg));
  }

  /** Overwrites {@code out} with independent {@code N(0, std^2)} draws. */
  public void fill(double[] out, double std) {
    run(
        out.length,
        std,
        false,
        (from, to, prg) -> {
          for (int i = from; i < to; i++) {
            out[i] = std * Ziggurat.next(prg);
          }
        });
  }

  /** Overwrites {@code out} with independent {@code N(0, std^2)} draws, rounded to float. */
  public void fill(float[] out, double std) {
    run(
        out.length,
        std,
        false,
        (from, to, prg) -> {
          for (int i = from; i < to; i++) {
            out[i] = (float) (std * Ziggurat.next(prg));
          }
        });
  }

  /** Returns one {@code N(0, std^2)} draw (it uses up a call number, like any other call). */
  public double sample(double std) {
    double[] one = new double[1];
    fill(one, std);
    return one[0];
  }

  private static void addChunk(float[] values, int from, int to, double std, ChaCha20Prg prg) {
    for (int i = from; i < to; i++) {
      values[i] = (float) (values[i] + std * Ziggurat.next(prg));
    }
  }

  private interface ChunkWork {
    void apply(int from, int to, ChaCha20Prg prg);
  }

  private void run(int length, double std, boolean parallel, ChunkWork work) {
    Checks.nonNegative("std", std);
    long call = calls.getAndIncrement();
    if (call >= MAX_CALLS) {
      throw new IllegalStateException(
          "this GaussianNoise has served 2^32 calls; create a new instance (a new key)");
    }
    int chunks = (length + CHUNK - 1) / CHUNK;
    IntStream indices = IntStream.range(0, chunks);
    (parallel ? indices.parallel() : indices)
        .forEach(
            k -> {
              int from = k * CHUNK;
              int to = Math.min(length, from + CHUNK);
              work.apply(from, to, new ChaCha20Prg(key, (call << 32) | k));
            });
  }

  @Override
  public String toString() {
    return "GaussianNoise[ChaCha20 + Ziggurat, key=<redacted>, calls=" + calls.get() + "]";
  }
}
