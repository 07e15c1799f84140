package io.flock.models.weights;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FloatKernels} on the Vector API. Loaded only when {@code jdk.incubator.vector} is in the
 * boot layer. Two float vectors per step feed four double accumulators, four independent
 * fused-multiply-add chains, so the loop is not bound by FMA latency.
 */
final class VectorFloatKernels {

  private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Double> DOUBLES =
      VectorSpecies.of(double.class, FLOATS.vectorShape());
  /** Floats as many as a double vector's lanes, for the narrowed mean. */
  private static final VectorSpecies<Float> NARROW =
      VectorSpecies.of(float.class, VectorShape.forBitSize(DOUBLES.vectorBitSize() / 2));
  private static final int LANES = FLOATS.length();
  private static final int HALF = DOUBLES.length();

  private VectorFloatKernels() {}

  static void fold(double[] acc, float[][] updates, double[] weights, int count) {
    int upper = acc.length - acc.length % (2 * LANES);
    for (int i = 0; i < upper; i += 2 * LANES) {
      DoubleVector a0 = DoubleVector.fromArray(DOUBLES, acc, i);
      DoubleVector a1 = DoubleVector.fromArray(DOUBLES, acc, i + HALF);
      DoubleVector a2 = DoubleVector.fromArray(DOUBLES, acc, i + LANES);
      DoubleVector a3 = DoubleVector.fromArray(DOUBLES, acc, i + LANES + HALF);
      for (int k = 0; k < count; k++) {
        float[] u = updates[k];
        DoubleVector w = DoubleVector.broadcast(DOUBLES, weights[k]);
        FloatVector f = FloatVector.fromArray(FLOATS, u, i);
        FloatVector g = FloatVector.fromArray(FLOATS, u, i + LANES);
        a0 = widen(f, 0).fma(w, a0);
        a1 = widen(f, 1).fma(w, a1);
        a2 = widen(g, 0).fma(w, a2);
        a3 = widen(g, 1).fma(w, a3);
      }
      a0.intoArray(acc, i);
      a1.intoArray(acc, i + HALF);
      a2.intoArray(acc, i + LANES);
      a3.intoArray(acc, i + LANES + HALF);
    }
    FloatKernels.scalarFold(acc, updates, weights, count, upper);
  }

  static void mean(
      double[] acc, float[][] updates, double[] weights, int count, double scale, float[] out) {
    int upper = out.length - out.length % (2 * LANES);
    DoubleVector zero = DoubleVector.zero(DOUBLES);
    for (int i = 0; i < upper; i += 2 * LANES) {
      DoubleVector a0 = acc == null ? zero : DoubleVector.fromArray(DOUBLES, acc, i);
      DoubleVector a1 = acc == null ? zero : DoubleVector.fromArray(DOUBLES, acc, i + HALF);
      DoubleVector a2 = acc == null ? zero : DoubleVector.fromArray(DOUBLES, acc, i + LANES);
      DoubleVector a3 = acc == null ? zero : DoubleVector.fromArray(DOUBLES, acc, i + LANES + HALF);
      for (int k = 0; k < count; k++) {
        float[] u = updates[k];
        DoubleVector w = DoubleVector.broadcast(DOUBLES, weights[k]);
        FloatVector f = FloatVector.fromArray(FLOATS, u, i);
        FloatVector g = FloatVector.fromArray(FLOATS, u, i + LANES);
        a0 = widen(f, 0).fma(w, a0);
        a1 = widen(f, 1).fma(w, a1);
        a2 = widen(g, 0).fma(w, a2);
        a3 = widen(g, 1).fma(w, a3);
      }
      narrow(a0.mul(scale)).intoArray(out, i);
      narrow(a1.mul(scale)).intoArray(out, i + HALF);
      narrow(a2.mul(scale)).intoArray(out, i + LANES);
      narrow(a3.mul(scale)).intoArray(out, i + LANES + HALF);
    }
    FloatKernels.scalarMean(acc, updates, weights, count, upper, scale, out);
  }

  static int firstNonFinite(float[] values) {
    int upper = FLOATS.loopBound(values.length);
    for (int i = 0; i < upper; i += LANES) {
      // x - x is 0 for every finite x and NaN for NaN and the infinities
      FloatVector v = FloatVector.fromArray(FLOATS, values, i);
      if (v.sub(v).test(VectorOperators.IS_NAN).anyTrue()) {
        return FloatKernels.scalarFirstNonFinite(values, i);
      }
    }
    return FloatKernels.scalarFirstNonFinite(values, upper);
  }

  private static DoubleVector widen(FloatVector v, int part) {
    return (DoubleVector) v.convertShape(VectorOperators.F2D, DOUBLES, part);
  }

  private static FloatVector narrow(DoubleVector v) {
    return (FloatVector) v.convertShape(VectorOperators.D2F, NARROW, 0);
  }

  static String describe() {
    return "vector (" + FLOATS.vectorBitSize() + "-bit)";
  }
}
