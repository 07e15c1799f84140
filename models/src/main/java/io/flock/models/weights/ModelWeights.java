package io.flock.models.weights;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * Immutable float32 model parameters (or an update of them): a {@link ModelLayout} plus a flat
 * payload in layout order.
 *
 * <p>Value semantics: equal when layouts are equal and payloads are bitwise equal. The payload is
 * copied on the way in and out, so one instance can be shared read-only by every actor of a JVM
 * (the global model is never copied per node). On the wire (Jackson CBOR) the payload is a single
 * byte string of little-endian float32, 4 bytes per parameter; a {@code float[]} field would cost
 * 5 bytes per parameter. Only the two annotated properties are serialized, whatever the mapper's
 * visibility settings (Pekko's mapper sees private fields by default).
 */
@JsonAutoDetect(
    fieldVisibility = JsonAutoDetect.Visibility.NONE,
    getterVisibility = JsonAutoDetect.Visibility.NONE,
    isGetterVisibility = JsonAutoDetect.Visibility.NONE,
    creatorVisibility = JsonAutoDetect.Visibility.NONE)
public final class ModelWeights {

  /** {@link #nonFinite} before the first scan. */
  private static final int UNSCANNED = -2;

  private final ModelLayout layout;
  private final float[] values;
  // Cached result of firstNonFinite(): the payload never changes, so one scan serves every
  // validation (the round manager's and the aggregator's). A benign race, as String.hash: racing
  // threads compute and store the same int.
  private int nonFinite = UNSCANNED;
  // Cached checksum(), -1 before the first call (a CRC32 is in [0, 2^32)); same benign race.
  private long crc32 = -1;

  private ModelWeights(ModelLayout layout, float[] values, boolean trusted) {
    if (layout == null) {
      throw new IllegalArgumentException("layout must not be null");
    }
    if (values == null) {
      throw new IllegalArgumentException("values must not be null");
    }
    if (values.length != layout.numParams()) {
      throw new IllegalArgumentException(
          "payload has "
              + values.length
              + " values but the layout ("
              + layout.describe()
              + ") needs "
              + layout.numParams());
    }
    this.layout = layout;
    this.values = trusted ? values : values.clone();
  }

  /** Weights from a layout and values (copied). */
  public static ModelWeights of(ModelLayout layout, float[] values) {
    return new ModelWeights(layout, values, false);
  }

  /** Weights taking ownership of {@code values}: the caller must not touch the array again. */
  public static ModelWeights wrap(ModelLayout layout, float[] values) {
    return new ModelWeights(layout, values, true);
  }

  /** All-zero weights of the given layout. */
  public static ModelWeights zeros(ModelLayout layout) {
    return new ModelWeights(layout, new float[layout.numParams()], true);
  }

  /** Jackson creator: decodes the little-endian float32 byte string. */
  @JsonCreator
  static ModelWeights fromWire(
      @JsonProperty("layout") ModelLayout layout, @JsonProperty("payload") byte[] payload) {
    if (layout == null || payload == null) {
      throw new IllegalArgumentException("ModelWeights needs both 'layout' and 'payload'");
    }
    if (payload.length % Float.BYTES != 0) {
      throw new IllegalArgumentException(
          "payload of " + payload.length + " bytes is not a whole number of float32 values");
    }
    float[] values = new float[payload.length / Float.BYTES];
    ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
    return new ModelWeights(layout, values, true);
  }

  /** The layout these weights follow. */
  @JsonProperty("layout")
  public ModelLayout layout() {
    return layout;
  }

  /** The payload as little-endian float32 bytes, as it travels on the wire. */
  @JsonProperty("payload")
  byte[] payloadBytes() {
    ByteBuffer buf = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(values);
    return buf.array();
  }

  /**
   * Values {@code [from, from + count)} as little-endian float32 bytes: one slice of the wire
   * payload, for streaming big models in chunks (the concatenation of consecutive slices is the
   * payload that {@link #checksum()} fingerprints).
   */
  public byte[] payloadSlice(int from, int count) {
    if (from < 0 || count < 0 || from > values.length - count) {
      throw new IllegalArgumentException(
          "slice [" + from + ", " + from + " + " + count + ") outside the " + values.length
              + " values");
    }
    ByteBuffer buf = ByteBuffer.allocate(count * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(values, from, count);
    return buf.array();
  }

  /** Number of scalar parameters. */
  @JsonIgnore
  public int size() {
    return values.length;
  }

  /** One value by flat index. */
  public float get(int index) {
    return values[index];
  }

  /** A copy of the payload. */
  public float[] toArray() {
    return values.clone();
  }

  /**
   * A read-only view of {@code count} values from flat index {@code from}: loading weights into a
   * model reads them from here, without copying the whole payload first.
   */
  public java.nio.FloatBuffer view(int from, int count) {
    return java.nio.FloatBuffer.wrap(values, from, count).slice().asReadOnlyBuffer();
  }

  /** Copies the payload into {@code dst} starting at 0. */
  public void copyInto(float[] dst) {
    if (dst.length != values.length) {
      throw new IllegalArgumentException(
          "destination has " + dst.length + " slots, weights have " + values.length);
    }
    System.arraycopy(values, 0, dst, 0, values.length);
  }

  /**
   * {@code acc[i] += weight * this[i]} in double: the streaming fold of weighted means
   * (StreamingFedAvg, Multi-Krum, DP sums); exact products, so a round's mean does not depend on
   * the order updates arrive in.
   */
  public void accumulateInto(double[] acc, double weight) {
    if (acc.length != values.length) {
      throw new IllegalArgumentException(
          "accumulator has " + acc.length + " slots, weights have " + values.length);
    }
    for (int i = 0; i < values.length; i++) {
      acc[i] += weight * values[i];
    }
  }

  /**
   * {@code acc[i] += sum_k weights[k] * updates[k][i]} in double for the first {@code count}
   * updates, in one pass over {@code acc}: the block fold of {@code StreamingFedAvg}. Vectorized
   * when the JVM runs with {@code --add-modules jdk.incubator.vector}; the result is bit-identical
   * either way and equal to {@code count} calls of {@link #accumulateInto(double[], double)} in
   * the same order.
   */
  public static void accumulateAllInto(
      double[] acc, ModelWeights[] updates, double[] weights, int count) {
    FloatKernels.fold(acc, payloads(acc.length, updates, weights, count), weights, count);
  }

  /**
   * The weighted mean {@code (float) ((acc[i] + sum_k weights[k] * updates[k][i]) * scale)} as
   * weights of {@code layout}, in one pass; {@code acc} is left unchanged and may be null
   * (zeros). Bit-identical to {@link #accumulateAllInto} followed by the scaling.
   */
  public static ModelWeights weightedMean(
      double[] acc, ModelWeights[] updates, double[] weights, int count, double scale,
      ModelLayout layout) {
    float[] out = new float[layout.numParams()];
    FloatKernels.mean(acc, payloads(out.length, updates, weights, count), weights, count, scale, out);
    return new ModelWeights(layout, out, true);
  }

  private static float[][] payloads(
      int length, ModelWeights[] updates, double[] weights, int count) {
    if (count < 0 || count > updates.length || count > weights.length) {
      throw new IllegalArgumentException(
          "count " + count + " outside the " + updates.length + " updates / " + weights.length
              + " weights given");
    }
    float[][] arrays = new float[count][];
    for (int k = 0; k < count; k++) {
      if (updates[k].values.length != length) {
        throw new IllegalArgumentException(
            "accumulator has " + length + " slots, update " + k + " has "
                + updates[k].values.length);
      }
      arrays[k] = updates[k].values;
    }
    return arrays;
  }

  /** The fold kernel this JVM uses: "vector (N-bit)" or "scalar". */
  public static String foldKernel() {
    return FloatKernels.kernel();
  }

  /** The Euclidean norm of the values, accumulated in double. */
  public double l2Norm() {
    return io.flock.privacy.dp.L2Clipping.l2Norm(values);
  }

  /** {@code this - other}, element-wise; layouts must match. */
  public ModelWeights minus(ModelWeights other) {
    requireSameLayout(other);
    float[] out = new float[values.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = values[i] - other.values[i];
    }
    return new ModelWeights(layout, out, true);
  }

  /** {@code this + scale * other}, element-wise; layouts must match. */
  public ModelWeights plusScaled(ModelWeights other, double scale) {
    requireSameLayout(other);
    float[] out = new float[values.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (values[i] + scale * other.values[i]);
    }
    return new ModelWeights(layout, out, true);
  }

  /**
   * Index of the first NaN or infinite value, or -1 when all values are finite. Scanned once per
   * instance and cached.
   */
  public int firstNonFinite() {
    int r = nonFinite;
    if (r == UNSCANNED) {
      r = FloatKernels.firstNonFinite(values);
      nonFinite = r;
    }
    return r;
  }

  /**
   * CRC32 of the wire payload (little-endian float32 bytes): a short fingerprint for logs and the
   * end-to-end check of streamed transfers. Computed once per instance, in blocks, without a copy
   * of the whole payload.
   */
  public long checksum() {
    long r = crc32;
    if (r < 0) {
      CRC32 crc = new CRC32();
      ByteBuffer block = ByteBuffer.allocate(CRC_BLOCK * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      for (int from = 0; from < values.length; from += CRC_BLOCK) {
        int count = Math.min(CRC_BLOCK, values.length - from);
        block.clear();
        block.asFloatBuffer().put(values, from, count);
        block.limit(count * Float.BYTES);
        crc.update(block);
      }
      r = crc.getValue();
      crc32 = r;
    }
    return r;
  }

  /** Floats per block of {@link #checksum()}: 256 KiB of bytes. */
  private static final int CRC_BLOCK = 64 * 1024;

  private void requireSameLayout(ModelWeights other) {
    if (!layout.equals(other.layout)) {
      throw new IllegalArgumentException(
          "layouts differ: " + layout.describe() + " vs " + other.layout.describe());
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelWeights w
        && layout.equals(w.layout)
        && Arrays.equals(values, w.values);
  }

  @Override
  public int hashCode() {
    return 31 * layout.hashCode() + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return String.format(
        "ModelWeights[tensors=%d, params=%d, crc32=%08x]",
        layout.params().size(), values.length, checksum());
  }
}
