package io.flock.privacy.secagg;

import io.flock.privacy.crypto.ChaCha20Prg;
import java.security.SecureRandom;
import java.util.Objects;

/**
 * Maps float updates to integers that secure aggregation can sum mod 2^32, and the sum back.
 *
 * <p>Each coordinate is clipped to {@code [-c, c]} and mapped affinely onto {@code [0, 2^b - 1]},
 * then rounded up with probability equal to its fractional part (unbiased stochastic rounding, as
 * in Bonawitz et al. 2017 and Kairouz et al. 2021, "The Distributed Discrete Gaussian Mechanism").
 * The rounding bits are a ChaCha20 stream keyed with 32 fresh bytes from the caller's {@link
 * SecureRandom}, one key per call, which is as unpredictable as the SecureRandom itself and much
 * faster than one SecureRandom call per coordinate.
 *
 * <p>The sum of {@code n} quantized values is at most {@code n (2^b - 1)}; requiring that to be
 * below 2^32 makes the sum mod 2^32 the exact integer sum, so dequantizing it loses nothing beyond
 * each client's rounding.
 */
public final class SecaggQuantizer {

  private final double clip;
  private final int bits;
  private final long levels; // 2^b - 1

  /**
   * @param clip c, the clipping bound of every coordinate, > 0 and finite
   * @param bits b, in [1, 32]
   */
  public SecaggQuantizer(double clip, int bits) {
    if (!(clip > 0.0) || Double.isInfinite(clip)) {
      throw new IllegalArgumentException("clip must be > 0 and finite, was " + clip);
    }
    if (bits < 1 || bits > 32) {
      throw new IllegalArgumentException("bits must be in [1, 32], was " + bits);
    }
    this.clip = clip;
    this.bits = bits;
    this.levels = (1L << bits) - 1;
  }

  /** The quantizer with the most bits whose sum over {@code clients} inputs cannot wrap. */
  public static SecaggQuantizer forClients(double clip, int clients) {
    return new SecaggQuantizer(clip, maxBits(clients));
  }

  /** The largest b with {@code clients * (2^b - 1) < 2^32}. */
  public static int maxBits(int clients) {
    if (clients < 1) {
      throw new IllegalArgumentException("clients must be >= 1, was " + clients);
    }
    int b = 32;
    while (clients * ((1L << b) - 1) >= (1L << 32)) {
      b--;
    }
    return b;
  }

  /**
   * Checks the overflow bound.
   *
   * @throws IllegalArgumentException if {@code clients * (2^b - 1) >= 2^32}
   */
  public void checkClients(int clients) {
    if (clients < 1 || clients * levels >= (1L << 32)) {
      throw new IllegalArgumentException(
          "clients * (2^bits - 1) must be < 2^32 so the sum cannot wrap: "
              + clients
              + " * (2^"
              + bits
              + " - 1) is not; use at most "
              + maxBits(Math.max(clients, 1))
              + " bits");
    }
  }

  public double clip() {
    return clip;
  }

  public int bits() {
    return bits;
  }

  /** The value of one quantization step, {@code 2c / (2^b - 1)}. */
  public double step() {
    return 2 * clip / levels;
  }

  /**
   * Quantizes {@code update} with stochastic rounding.
   *
   * @return values in [0, 2^b - 1] as unsigned 32-bit ints
   * @throws IllegalArgumentException for a NaN or infinite coordinate
   */
  public int[] quantize(float[] update, SecureRandom random) {
    Objects.requireNonNull(update, "update must not be null");
    ChaCha20Prg prg = new ChaCha20Prg(ChaCha20Prg.newKey(random), 0);
    double scale = levels / (2 * clip);
    int[] q = new int[update.length];
    for (int i = 0; i < update.length; i++) {
      float x = update[i];
      if (!Float.isFinite(x)) {
        throw new IllegalArgumentException("update[" + i + "] must be finite, was " + x);
      }
      double s = (Math.max(-clip, Math.min(clip, x)) + clip) * scale;
      double floor = Math.floor(s);
      long v = (long) floor + (prg.nextDouble() < s - floor ? 1 : 0);
      q[i] = (int) Math.min(v, levels);
    }
    return q;
  }

  /**
   * The float sum of {@code count} inputs from the sum of their quantized values.
   *
   * @param sum the sum mod 2^32, read as unsigned
   */
  public float[] dequantize(int[] sum, int count) {
    checkClients(Math.max(count, 1));
    double step = step();
    double offset = count * clip;
    float[] out = new float[sum.length];
    for (int i = 0; i < sum.length; i++) {
      out[i] = (float) ((sum[i] & 0xFFFFFFFFL) * step - offset);
    }
    return out;
  }

  @Override
  public String toString() {
    return "SecaggQuantizer[clip=" + clip + ", bits=" + bits + "]";
  }
}
