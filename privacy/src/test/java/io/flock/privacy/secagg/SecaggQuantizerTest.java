package io.flock.privacy.secagg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Collections;
import org.junit.jupiter.api.Test;

/** Clipping, unbiased stochastic rounding and the no-wrap bound n (2^b - 1) < 2^32. */
class SecaggQuantizerTest {

  @Test
  void roundTripIsWithinOneStepAndClipsOutOfRangeValues() {
    SecaggQuantizer q = new SecaggQuantizer(0.5, 12);
    float[] x = {-0.5f, -0.2f, 0f, 0.123f, 0.5f, 3f, -7f};
    float[] back = q.dequantize(q.quantize(x, SecaggFixture.random(1)), 1);
    float[] clipped = {-0.5f, -0.2f, 0f, 0.123f, 0.5f, 0.5f, -0.5f};
    for (int i = 0; i < x.length; i++) {
      assertTrue(Math.abs(back[i] - clipped[i]) <= q.step() + 1e-7, "coordinate " + i);
    }
    assertEquals(-0.5f, back[0]);
    assertEquals(0.5f, back[4]);
  }

  @Test
  void stochasticRoundingIsUnbiased() {
    SecaggQuantizer q = new SecaggQuantizer(1.0, 2); // step 2/3: 0.3 lies between two levels
    float[] x = new float[200_000];
    java.util.Arrays.fill(x, 0.3f);
    float[] back = q.dequantize(q.quantize(x, SecaggFixture.random(2)), 1);
    double mean = 0;
    for (float v : back) {
      mean += v / back.length;
    }
    // Each value is 1/3 or 1 with p = 0.55; sd of the mean 0.33 * sqrt(p(1-p)/n) ~ 0.0007.
    assertEquals(0.3, mean, 0.004);
  }

  @Test
  void overflowBoundPicksAndValidatesTheBits() {
    assertEquals(32, SecaggQuantizer.maxBits(1));
    assertEquals(31, SecaggQuantizer.maxBits(2));
    assertEquals(30, SecaggQuantizer.maxBits(3));
    assertEquals(25, SecaggQuantizer.maxBits(100));
    assertEquals(22, SecaggQuantizer.maxBits(1000));
    new SecaggQuantizer(1, 25).checkClients(100);
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> new SecaggQuantizer(1, 26).checkClients(100));
    assertTrue(e.getMessage().contains("use at most 25 bits"), e.getMessage());
    SecaggGraph g = SecaggGraph.complete(100);
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new SecaggConfig(
                1, g, 50, 4, new SecaggQuantizer(1, 26), Collections.nCopies(100, new byte[1])));
  }

  @Test
  void sumOfMaximalInputsOfNClientsDoesNotWrap() {
    int n = 100;
    SecaggQuantizer q = SecaggQuantizer.forClients(1.0, n);
    int[] sum = new int[1];
    for (int u = 0; u < n; u++) {
      sum[0] += q.quantize(new float[] {1f}, SecaggFixture.random(u))[0];
    }
    assertEquals(n * 1.0, q.dequantize(sum, n)[0], 1e-4);
  }

  @Test
  void invalidSettingsAndNonFiniteValuesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new SecaggQuantizer(0, 8));
    assertThrows(IllegalArgumentException.class, () -> new SecaggQuantizer(Double.NaN, 8));
    assertThrows(IllegalArgumentException.class, () -> new SecaggQuantizer(1, 0));
    assertThrows(IllegalArgumentException.class, () -> new SecaggQuantizer(1, 33));
    SecaggQuantizer q = new SecaggQuantizer(1, 8);
    SecureRandom r = SecaggFixture.random(3);
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> q.quantize(new float[] {0f, Float.POSITIVE_INFINITY}, r));
    assertTrue(e.getMessage().contains("update[1] must be finite, was Infinity"));
  }
}
