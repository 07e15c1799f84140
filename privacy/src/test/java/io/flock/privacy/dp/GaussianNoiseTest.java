package io.flock.privacy.dp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flock.privacy.crypto.ChaCha20Prg;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Statistical and stream properties of the DP noise. Statistical checks use a fixed key, so they
 * are deterministic; their bounds are five standard errors (or a p = 1e-5 chi-square quantile),
 * so a correct sampler passes them with any key too.
 */
class GaussianNoiseTest {

  private static byte[] key(int seed) {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) seed);
    return key;
  }

  /** Standard normal CDF from the accountant's erfc. */
  private static double phi(double x) {
    return 0.5 * LogMath.erfc(-x / Math.sqrt(2.0));
  }

  @Test
  void millionDrawsHaveMeanZeroAndVarianceStdSquared() {
    int n = 1_000_000;
    double std = 2.0;
    double[] draws = new double[n];
    GaussianNoise.withKey(key(1)).fill(draws, std);
    double sum = 0;
    for (double d : draws) {
      sum += d;
    }
    double mean = sum / n;
    double sq = 0;
    double fourth = 0;
    for (double d : draws) {
      double c = (d - mean) / std;
      sq += c * c;
      fourth += c * c * c * c;
    }
    double variance = sq * std * std / (n - 1);
    // se(mean) = std / sqrt(n) = 0.002; se(variance) = std^2 sqrt(2 / n) = 0.00566.
    assertEquals(0.0, mean, 5 * 0.002, "mean");
    assertEquals(4.0, variance, 5 * 0.00566, "variance");
    // Normal kurtosis is 3; se = sqrt(96 / n) = 0.0098.
    assertEquals(3.0, fourth / n, 5 * 0.0098, "kurtosis");
  }

  @Test
  void histogramFollowsTheNormalCdfIncludingTheTails() {
    int n = 1_000_000;
    double[] draws = new double[n];
    GaussianNoise.withKey(key(2)).fill(draws, 1.0);
    // 32 bins: (-inf, -3.75], 30 bins of width 0.25, (3.75, inf); the outer ones exercise the
    // Ziggurat's tail sampler (beyond R = 3.654) and its wedges.
    double[] edges = new double[31];
    for (int i = 0; i < edges.length; i++) {
      edges[i] = -3.75 + 0.25 * i;
    }
    long[] counts = new long[32];
    for (double d : draws) {
      int bin = Arrays.binarySearch(edges, d);
      counts[bin >= 0 ? bin : -bin - 1]++;
    }
    double chiSquare = 0;
    for (int b = 0; b < counts.length; b++) {
      double lo = b == 0 ? 0.0 : phi(edges[b - 1]);
      double hi = b == counts.length - 1 ? 1.0 : phi(edges[b]);
      double expected = n * (hi - lo);
      chiSquare += (counts[b] - expected) * (counts[b] - expected) / expected;
    }
    // chi-square with 31 degrees of freedom: P(X > 76.56) = 1e-5 (SciPy chi2.ppf).
    assertTrue(chiSquare < 76.56, "chi-square " + chiSquare + " counts " + Arrays.toString(counts));
  }

  @Test
  void tailSamplerFollowsTheNormalBeyondR() {
    // Conditional on X > R: E[X] = phi(R) / Q(R) (inverse Mills ratio) and
    // P(X > 4 | X > R) = Q(4) / Q(R), with Q(x) = erfc(x / sqrt 2) / 2.
    int n = 200_000;
    ChaCha20Prg prg = new ChaCha20Prg(key(6), 0);
    double sum = 0;
    int beyondFour = 0;
    for (int i = 0; i < n; i++) {
      double x = Ziggurat.tail(prg);
      assertTrue(x > Ziggurat.R, "tail draw " + x);
      sum += x;
      beyondFour += x > 4.0 ? 1 : 0;
    }
    double r = Ziggurat.R;
    double qR = 1 - phi(r);
    double mills = Math.exp(-r * r / 2) / Math.sqrt(2 * Math.PI) / qR; // 3.89704
    // sd(X | X > R) = 0.2312 (SciPy truncnorm): se(mean) = 0.00052; se of the probability 0.00096.
    assertEquals(mills, sum / n, 5 * 0.00052, "tail mean");
    double p4 = (1 - phi(4.0)) / qR;
    assertEquals(p4, (double) beyondFour / n, 5 * Math.sqrt(p4 * (1 - p4) / n), "P(X > 4)");
  }

  @Test
  void distinctDefaultInstancesDrawDifferentStreams() {
    double[] a = new double[16];
    double[] b = new double[16];
    GaussianNoise.create().fill(a, 1.0);
    GaussianNoise.create().fill(b, 1.0);
    assertFalse(Arrays.equals(a, b));
  }

  @Test
  void sameKeyReproducesTheStreamAndEachCallDrawsAFreshOne() {
    GaussianNoise first = GaussianNoise.withKey(key(3));
    GaussianNoise second = GaussianNoise.withKey(key(3));
    double[] a1 = new double[100];
    double[] a2 = new double[100];
    double[] b1 = new double[100];
    first.fill(a1, 1.0);
    first.fill(a2, 1.0);
    second.fill(b1, 1.0);
    assertArrayEquals(a1, b1, 0.0);
    assertFalse(Arrays.equals(a1, a2));
  }

  @Test
  void parallelNoiseEqualsSequentialNoiseForTheSameKey() {
    int n = 5 * GaussianNoise.CHUNK + 123;
    float[] sequential = new float[n];
    float[] parallel = new float[n];
    Arrays.fill(sequential, 0.5f);
    Arrays.fill(parallel, 0.5f);
    GaussianNoise.withKey(key(4)).addNoise(sequential, 0.3);
    GaussianNoise.withKey(key(4)).addNoiseParallel(parallel, 0.3);
    assertArrayEquals(sequential, parallel, 0.0f);
  }

  @Test
  void addNoiseAddsExactlyTheDrawsFillWouldWrite() {
    float[] values = {1f, -2f, 3f, 0f};
    double[] draws = new double[4];
    GaussianNoise.withKey(key(5)).fill(draws, 0.7);
    GaussianNoise.withKey(key(5)).addNoise(values, 0.7);
    float[] expected = {
      (float) (1 + draws[0]), (float) (-2 + draws[1]), (float) (3 + draws[2]), (float) draws[3]
    };
    assertArrayEquals(expected, values, 0.0f);
  }

  @Test
  void zeroStdLeavesValuesUnchanged() {
    float[] values = {1f, 2f};
    GaussianNoise.create().addNoise(values, 0.0);
    assertArrayEquals(new float[] {1f, 2f}, values, 0.0f);
  }

  @Test
  void negativeStdIsRejectedWithTheValue() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> GaussianNoise.create().addNoise(new float[1], -1.0));
    assertEquals("std must be >= 0 and finite, was -1.0", e.getMessage());
  }

  @Test
  void zigguratLayerAreaMatchesTheTailIntegral() {
    // V = R f(R) + integral_R^inf f = R exp(-R^2/2) + sqrt(pi/2) erfc(R / sqrt 2).
    double r = Ziggurat.R;
    double v = r * Math.exp(-r * r / 2) + Math.sqrt(Math.PI / 2) * LogMath.erfc(r / Math.sqrt(2));
    assertEquals(v, Ziggurat.V, 1e-17);
    // The recursion closes: the top layer has area V too (x_255 (1 - f(x_255)) = V).
    double top = Ziggurat.X[255];
    assertEquals(Ziggurat.V, top * (1 - Math.exp(-top * top / 2)), 1e-15);
  }

  @Test
  void toStringRevealsNoKey() {
    String s = GaussianNoise.withKey(key(0x5a)).toString();
    assertTrue(s.contains("<redacted>"), s);
    assertFalse(s.toLowerCase().contains("5a5a"), s);
  }
}
