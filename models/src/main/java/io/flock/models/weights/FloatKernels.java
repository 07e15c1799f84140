package io.flock.models.weights;

/**
 * The hot loops over update payloads: the finiteness scan every update passes, and the kernel of
 * the streaming weighted mean: {@code acc[i] += sum_k w[k] * u[k][i]} in double,
 * over a block of updates in one pass, so the double accumulator is read and written once per
 * block instead of once per update (8 + 8 bytes per parameter against the 4 of each update), and
 * the mean {@code (float) ((acc[i] + sum_k w[k] * u[k][i]) * scale)} of a last block without
 * writing the accumulator at all.
 *
 * <p>Two implementations with bit-identical results: a SIMD one on the Vector API (float32 lanes
 * widened to double and fused-multiply-added; {@code jdk.incubator.vector}, used when the JVM was
 * started with {@code --add-modules jdk.incubator.vector}, as {@code ./flock}, the tests and the
 * benchmarks do) and a scalar loop otherwise. They agree bit for bit because every product of a
 * float32 value and a weight below 2^29 is exact in double, so a fused multiply-add rounds once
 * exactly as the separate multiply and add do, and both add the updates of one element in the same
 * order. {@code -Dflock.fold.scalar=true} forces the scalar loop.
 */
final class FloatKernels {

  private static final boolean VECTOR =
      ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
          && !Boolean.getBoolean("flock.fold.scalar");

  private FloatKernels() {}

  /** {@code acc[i] += sum_{k < count} weights[k] * updates[k][i]}. */
  static void fold(double[] acc, float[][] updates, double[] weights, int count) {
    if (VECTOR) {
      VectorFloatKernels.fold(acc, updates, weights, count);
    } else {
      scalarFold(acc, updates, weights, count, 0);
    }
  }

  /**
   * {@code out[i] = (float) ((acc[i] + sum_{k < count} weights[k] * updates[k][i]) * scale)},
   * leaving {@code acc} unchanged; a null {@code acc} stands for zeros.
   */
  static void mean(
      double[] acc, float[][] updates, double[] weights, int count, double scale, float[] out) {
    if (VECTOR) {
      VectorFloatKernels.mean(acc, updates, weights, count, scale, out);
    } else {
      scalarMean(acc, updates, weights, count, 0, scale, out);
    }
  }

  /** The scalar {@link #fold} over elements {@code from..}; also the vector kernel's tail. */
  static void scalarFold(double[] acc, float[][] updates, double[] weights, int count, int from) {
    for (int i = from; i < acc.length; i++) {
      acc[i] = sum(acc[i], updates, weights, count, i);
    }
  }

  /** The scalar {@link #mean} over elements {@code from..}; also the vector kernel's tail. */
  static void scalarMean(
      double[] acc, float[][] updates, double[] weights, int count, int from, double scale,
      float[] out) {
    for (int i = from; i < out.length; i++) {
      out[i] = (float) (sum(acc == null ? 0 : acc[i], updates, weights, count, i) * scale);
    }
  }

  private static double sum(double start, float[][] updates, double[] weights, int count, int i) {
    double a = start;
    for (int k = 0; k < count; k++) {
      a += weights[k] * updates[k][i];
    }
    return a;
  }

  /** Index of the first NaN or infinite value, or -1. */
  static int firstNonFinite(float[] values) {
    return VECTOR ? VectorFloatKernels.firstNonFinite(values) : scalarFirstNonFinite(values, 0);
  }

  static int scalarFirstNonFinite(float[] values, int from) {
    for (int i = from; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        return i;
      }
    }
    return -1;
  }

  /** Which kernel this JVM runs, for benchmark reports: "vector (512-bit)" or "scalar". */
  static String kernel() {
    return VECTOR ? VectorFloatKernels.describe() : "scalar";
  }
}
