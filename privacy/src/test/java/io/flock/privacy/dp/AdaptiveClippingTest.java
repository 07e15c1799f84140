package io.flock.privacy.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Adaptive clipping (Andrew et al. 2021): geometric update and Theorem 1, by hand. */
class AdaptiveClippingTest {

  @Test
  void tooManyUnclippedUpdatesShrinkTheClipGeometrically() {
    // C = 1, gamma = 0.5, eta = 0.2, b = 0.8: C' = exp(-0.2 * 0.3) = exp(-0.06).
    AdaptiveClipping next = new AdaptiveClipping(1.0, 0.5, 0.2, 0.0).next(0.8);
    assertEquals(0.9417645335842487, next.clipNorm(), 1e-16);
    assertEquals(0.5, next.targetQuantile());
    assertEquals(0.2, next.learningRate());
  }

  @Test
  void tooFewUnclippedUpdatesGrowTheClip() {
    // C = 2, b = 0.2: C' = 2 exp(0.06).
    AdaptiveClipping next = new AdaptiveClipping(2.0, 0.5, 0.2, 0.0).next(0.2);
    assertEquals(2 * 1.0618365465453596, next.clipNorm(), 1e-15);
  }

  @Test
  void clipOnTargetStaysPut() {
    assertEquals(3.0, new AdaptiveClipping(3.0, 0.5, 0.2, 0.0).next(0.5).clipNorm(), 0.0);
  }

  @Test
  void noiselessCountOnFixedNormsConvergesToTheMedian() {
    // Norms 1..100, gamma = 0.5: any clip in [50, 51) leaves exactly half unclipped, and stays.
    AdaptiveClipping state = new AdaptiveClipping(1.0, 0.5, 0.2, 0.0);
    GaussianNoise noise = GaussianNoise.create(); // sigma_b = 0: draws are 0
    for (int round = 0; round < 300; round++) {
      int unclipped = 0;
      for (int norm = 1; norm <= 100; norm++) {
        unclipped += state.unclipped(norm) ? 1 : 0;
      }
      state = state.next(state.noisedUnclippedFraction(unclipped, 100, 100, noise));
    }
    assertTrue(state.clipNorm() >= 50 && state.clipNorm() < 51, "clip " + state.clipNorm());
  }

  @Test
  void unclippedBitIncludesTheBoundary() {
    AdaptiveClipping state = new AdaptiveClipping(1.0, 0.5, 0.2, 0.0);
    assertTrue(state.unclipped(1.0));
    assertFalse(state.unclipped(1.0000001));
  }

  @Test
  void noisedFractionAddsCountNoiseOfStdSigmaB() {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) 9);
    double draw = GaussianNoise.withKey(key).sample(5.0);
    AdaptiveClipping state = AdaptiveClipping.recommended(1.0, 100); // sigma_b = 100 / 20 = 5
    assertEquals(5.0, state.countNoiseStd());
    double fraction = state.noisedUnclippedFraction(60, 90, 100, GaussianNoise.withKey(key));
    // centred bits: (60 - 90/2 + draw) / 100 + 1/2
    assertEquals((60 - 45 + draw) / 100 + 0.5, fraction, 1e-15);
  }

  @Test
  void adjustedNoiseMultiplierFollowsTheorem1() {
    // z = 1, sigma_b = 5: (1 - 1/100)^-1/2 = 1/sqrt(0.99).
    assertEquals(
        1.005037815259212,
        AdaptiveClipping.recommended(1.0, 100).adjustedNoiseMultiplier(1.0),
        1e-15);
    // z = 3, sigma_b = 5: (1/9 - 1/100)^-1/2 (the case in Flower's adaptive-clipping test).
    assertEquals(
        3.144854510165755,
        new AdaptiveClipping(1.0, 0.5, 0.2, 5.0).adjustedNoiseMultiplier(3.0),
        1e-14);
  }

  @Test
  void countNoiseTooSmallForTheBudgetIsRejected() {
    AdaptiveClipping state = new AdaptiveClipping(1.0, 0.5, 0.2, 0.5);
    var e = assertThrows(IllegalArgumentException.class, () -> state.adjustedNoiseMultiplier(1.0));
    assertEquals(
        "countNoiseStd must be > noiseMultiplier / 2 = 0.5 for adaptive clipping to fit in the"
            + " budget, was 0.5",
        e.getMessage());
  }

  @Test
  void invalidStatesAreRejectedWithTheValue() {
    var clip =
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveClipping(0, 0.5, 0.2, 1));
    assertEquals("clipNorm must be > 0 and finite, was 0.0", clip.getMessage());
    var gamma =
        assertThrows(
            IllegalArgumentException.class, () -> new AdaptiveClipping(1, 1.5, 0.2, 1));
    assertEquals("targetQuantile must be in [0, 1], was 1.5", gamma.getMessage());
    var eta =
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveClipping(1, 0.5, -1, 1));
    assertEquals("learningRate must be > 0 and finite, was -1.0", eta.getMessage());
    var sigma =
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveClipping(1, 0.5, 0.2, -1));
    assertEquals("countNoiseStd must be >= 0 and finite, was -1.0", sigma.getMessage());
  }
}
