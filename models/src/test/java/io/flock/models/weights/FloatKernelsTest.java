package io.flock.models.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FloatKernelsTest {

  private static final int PARAMS = 1_037; // not a multiple of any vector width: the tail runs too

  @Test
  void testsRunTheVectorKernelBecauseSurefireAddsTheIncubatorModule() {
    assertEquals(true, ModelWeights.foldKernel().startsWith("vector"), ModelWeights.foldKernel());
  }

  @Test
  void blockFoldAndMeanAreBitIdenticalToScalarLoopAndToOneUpdateAtATime() {
    Random random = new Random(7);
    ModelLayout layout = new ModelLayout(List.of(ParamSpec.of("w", PARAMS)));
    for (int count : new int[] {1, 2, 3, 5, 16, 17}) {
      ModelWeights[] updates = new ModelWeights[count];
      float[][] arrays = new float[count][];
      double[] weights = new double[count];
      for (int k = 0; k < count; k++) {
        float[] v = new float[PARAMS];
        for (int i = 0; i < PARAMS; i++) {
          // wide dynamic range, both signs: rounding differences would show
          v[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(12) - 6));
        }
        arrays[k] = v;
        updates[k] = ModelWeights.of(layout, v);
        weights[k] = 1 + random.nextInt(1 << 20);
      }
      double[] start = new double[PARAMS];
      for (int i = 0; i < PARAMS; i++) {
        start[i] = random.nextGaussian() * 1e3;
      }

      double[] block = start.clone();
      ModelWeights.accumulateAllInto(block, updates, weights, count);
      double[] scalar = start.clone();
      FloatKernels.scalarFold(scalar, arrays, weights, count, 0);
      double[] oneByOne = start.clone();
      for (int k = 0; k < count; k++) {
        updates[k].accumulateInto(oneByOne, weights[k]);
      }
      assertArrayEquals(scalar, block, 0.0, "vector vs scalar, " + count + " updates");

      double scale = 1.0 / (count * 977.0);
      double[] untouched = start.clone();
      float[] expectedMean = new float[PARAMS];
      for (int i = 0; i < PARAMS; i++) {
        expectedMean[i] = (float) (oneByOne[i] * scale);
      }
      ModelWeights mean = ModelWeights.weightedMean(untouched, updates, weights, count, scale, layout);
      assertArrayEquals(start, untouched, 0.0, "weightedMean leaves the accumulator alone");
      assertArrayEquals(expectedMean, mean.toArray(), 0.0f, "mean of acc + block, " + count + " updates");
      float[] scalarMean = new float[PARAMS];
      FloatKernels.scalarMean(null, arrays, weights, count, 0, scale, scalarMean);
      ModelWeights fromZero = ModelWeights.weightedMean(null, updates, weights, count, scale, layout);
      assertArrayEquals(scalarMean, fromZero.toArray(), 0.0f, "mean from zeros, vector vs scalar");
      assertArrayEquals(oneByOne, block, 0.0, "block vs one at a time, " + count + " updates");
    }
  }

  @Test
  void blockFoldRejectsAnUpdateOfAnotherSize() {
    ModelWeights small = ModelWeights.zeros(new ModelLayout(List.of(ParamSpec.of("w", 3))));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelWeights.accumulateAllInto(new double[4], new ModelWeights[] {small}, new double[] {1}, 1));
    assertEquals("accumulator has 4 slots, update 0 has 3", e.getMessage());
  }

  @Test
  void finitenessScanFindsTheFirstNanOrInfinityAtAnyPositionIncludingTheTail() {
    float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
    for (float value : bad) {
      for (int at : new int[] {0, 1, 15, 16, 17, 500, PARAMS - 1}) {
        float[] v = new float[PARAMS];
        java.util.Arrays.fill(v, Float.MAX_VALUE); // finite extremes are not flagged
        v[at] = value;
        if (at + 3 < PARAMS) {
          v[at + 3] = Float.NaN; // a later one must not win
        }
        assertEquals(at, FloatKernels.firstNonFinite(v), value + " at " + at);
        assertEquals(at, FloatKernels.scalarFirstNonFinite(v, 0), value + " at " + at + ", scalar");
      }
    }
    assertEquals(-1, FloatKernels.firstNonFinite(new float[PARAMS]));
  }
}
