package io.flock.privacy.dp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** DP-FedAvg noise placement (McMahan et al. 2018), central and distributed. */
class DpFedAvgTest {

  private static byte[] key(int seed) {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) seed);
    return key;
  }

  @Test
  void centralNoiseStdIsNoiseMultiplierTimesClipNorm() {
    assertEquals(0.55, DpFedAvg.centralNoiseStd(1.1, 0.5), 1e-15);
    assertEquals(0.0, DpFedAvg.centralNoiseStd(0.0, 0.5));
  }

  @Test
  void eachNodesShareIsTheCentralStdOverSqrtN() {
    // z = 1.1, S = 0.5, n = 100: 0.55 / 10.
    assertEquals(0.055, DpFedAvg.distributedNoiseStd(1.1, 0.5, 100), 1e-15);
    assertEquals(0.55, DpFedAvg.distributedNoiseStd(1.1, 0.5, 1), 1e-15);
  }

  @Test
  void sharesOfAllNodesAddUpToTheCentralNoise() {
    // z = 1, S = 2, n = 4: shares of std 1 each; their sum has variance (zS)^2 = 4.
    int coords = 250_000;
    double share = DpFedAvg.distributedNoiseStd(1.0, 2.0, 4);
    assertEquals(1.0, share, 0.0);
    float[] sum = new float[coords];
    for (int node = 0; node < 4; node++) {
      float[] update = new float[coords];
      GaussianNoise.withKey(key(10 + node)).addNoise(update, share);
      for (int i = 0; i < coords; i++) {
        sum[i] += update[i];
      }
    }
    double sq = 0;
    for (float v : sum) {
      sq += (double) v * v;
    }
    // se of the variance estimate: 4 sqrt(2 / 250000) = 0.0113.
    assertEquals(4.0, sq / coords, 5 * 0.0113);
  }

  @Test
  void effectiveNoiseMultiplierScalesWithTheSharesThatReachTheSum() {
    assertEquals(0.9, DpFedAvg.effectiveNoiseMultiplier(1.0, 100, 81), 1e-15);
    assertEquals(2.0, DpFedAvg.effectiveNoiseMultiplier(2.0, 4, 4), 0.0);
    assertEquals(0.0, DpFedAvg.effectiveNoiseMultiplier(2.0, 4, 0), 0.0);
    // shares sized for a quorum of 4, 16 contribute: twice the noise
    assertEquals(2.0, DpFedAvg.effectiveNoiseMultiplier(1.0, 4, 16), 1e-15);
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> DpFedAvg.effectiveNoiseMultiplier(1.0, 4, -1));
    assertEquals("contributing must be >= 0, was -1", e.getMessage());
  }

  @Test
  void nodeClipsItsUpdateBeforeAddingItsShareAndReportsTheRawNorm() {
    float[] update = {3f, 4f};
    double norm = DpFedAvg.clipAndAddShare(update, 1.0, 0.0, null);
    assertEquals(5.0, norm, 0.0);
    assertArrayEquals(new float[] {0.6f, 0.8f}, update, 1e-7f);
  }

  @Test
  void nodeShareIsTheDrawOfItsOwnGenerator() {
    float[] update = {0.3f, 0.4f}; // within S = 1: not clipped
    double[] draws = new double[2];
    GaussianNoise.withKey(key(7)).fill(draws, 0.1); // z = 1, S = 1, n = 100 -> std 0.1
    DpFedAvg.clipAndAddShare(update, 1.0, DpFedAvg.distributedNoiseStd(1.0, 1.0, 100), GaussianNoise.withKey(key(7)));
    assertArrayEquals(
        new float[] {(float) (0.3f + draws[0]), (float) (0.4f + draws[1])}, update, 0.0f);
  }

  @Test
  void badArgumentsAreRejectedWithTheValue() {
    var clip =
        assertThrows(IllegalArgumentException.class, () -> DpFedAvg.centralNoiseStd(1.0, 0.0));
    assertEquals("clipNorm must be > 0 and finite, was 0.0", clip.getMessage());
    var z =
        assertThrows(IllegalArgumentException.class, () -> DpFedAvg.centralNoiseStd(-0.5, 1.0));
    assertEquals("noiseMultiplier must be >= 0 and finite, was -0.5", z.getMessage());
    var n =
        assertThrows(
            IllegalArgumentException.class, () -> DpFedAvg.distributedNoiseStd(1.0, 1.0, 0));
    assertEquals("nodes must be >= 1, was 0", n.getMessage());
  }
}
