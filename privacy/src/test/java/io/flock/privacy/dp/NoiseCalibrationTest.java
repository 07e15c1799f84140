package io.flock.privacy.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Noise calibration: the inverse of the accountant, to its documented relative tolerance. */
class NoiseCalibrationTest {

  private static double epsilon(double q, double sigma, long steps, double delta, Conversion c) {
    return PrivacyAccountant.empty().compose(q, sigma, steps).epsilon(delta, c).epsilon();
  }

  @Test
  void opacusNoiseMultiplierCaseToFullPrecision() {
    // Opacus accountants_test.py test_get_noise_multiplier: epsilon 8, delta 1e-5, q 0.04,
    // 90 epochs (2250 steps) -> 1.425307617, from a bisection that stops at a 0.01-wide bracket.
    // The exact root, 1.4157871430845437, is from SciPy brentq (xtol 1e-14) on Opacus's epsilon.
    double sigma = NoiseCalibration.noiseMultiplier(8.0, 1e-5, 0.04, 2250, Conversion.IMPROVED);
    assertEquals(1.4157871430845437, sigma, 1e-5);
    assertTrue(sigma <= 1.425307617);
    double eps = epsilon(0.04, sigma, 2250, 1e-5, Conversion.IMPROVED);
    assertTrue(eps <= 8.0 && eps >= 8.0 * (1 - 1e-6), "epsilon " + eps);
  }

  @Test
  void calibratedNoiseRoundTripsToTheTargetFromBelow() {
    double[][] cases = { // target epsilon, delta, q, steps
      {1.0, 1e-5, 0.01, 10_000}, {3.0, 1e-6, 256.0 / 60000, 14063}, {0.5, 1e-5, 1.0, 1},
      {10.0, 1e-5, 0.1, 100}, {50.0, 1e-3, 0.5, 3}
    };
    for (double[] c : cases) {
      for (Conversion conversion : Conversion.values()) {
        double sigma = NoiseCalibration.noiseMultiplier(c[0], c[1], c[2], (long) c[3], conversion);
        double eps = epsilon(c[2], sigma, (long) c[3], c[1], conversion);
        String label = conversion + " " + java.util.Arrays.toString(c) + " sigma " + sigma;
        assertTrue(eps <= c[0], label + " eps " + eps);
        assertTrue(eps >= c[0] * (1 - NoiseCalibration.RELATIVE_TOLERANCE), label + " eps " + eps);
      }
    }
  }

  @Test
  void recoversTheNoiseOfAKnownRun() {
    // Opacus's case spends 7.3291111714386545 with sigma 1.5; asking for that epsilon gives 1.5.
    double sigma =
        NoiseCalibration.noiseMultiplier(7.3291111714386545, 1e-5, 0.04, 2250, Conversion.IMPROVED);
    assertEquals(1.5, sigma, 1e-5);
  }

  @Test
  void calibratesTheRestOfARunAfterPrivacyAlreadySpent() {
    PrivacyAccountant spent = PrivacyAccountant.empty().compose(0.04, 1.5, 1000);
    double sigma =
        NoiseCalibration.noiseMultiplier(
            spent, 7.3291111714386545, 1e-5, 0.04, 1250, Conversion.IMPROVED);
    assertEquals(1.5, sigma, 1e-5);
  }

  @Test
  void targetBelowTheFloorIsRejectedNamingTheFloor() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> NoiseCalibration.noiseMultiplier(0.05, 1e-5, 0.01, 100, Conversion.IMPROVED));
    assertTrue(e.getMessage().startsWith("targetEpsilon 0.05 is unreachable at delta 1.0E-5"));
    assertTrue(e.getMessage().contains("0.1028672512112797"), e.getMessage());
  }

  @Test
  void targetAlreadySpentIsUnreachable() {
    PrivacyAccountant spent = PrivacyAccountant.empty().compose(0.04, 1.5, 2250);
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                NoiseCalibration.noiseMultiplier(spent, 5.0, 1e-5, 0.04, 10, Conversion.IMPROVED));
    assertTrue(e.getMessage().contains("7.32911117143"), e.getMessage());
  }

  @Test
  void badArgumentsAreRejectedWithTheValue() {
    Conversion c = Conversion.IMPROVED;
    var eps =
        assertThrows(
            IllegalArgumentException.class,
            () -> NoiseCalibration.noiseMultiplier(0.0, 1e-5, 0.1, 10, c));
    assertEquals("targetEpsilon must be > 0 and finite, was 0.0", eps.getMessage());
    var delta =
        assertThrows(
            IllegalArgumentException.class,
            () -> NoiseCalibration.noiseMultiplier(1.0, 1.5, 0.1, 10, c));
    assertEquals("delta must be in (0, 1), was 1.5", delta.getMessage());
    var q =
        assertThrows(
            IllegalArgumentException.class,
            () -> NoiseCalibration.noiseMultiplier(1.0, 1e-5, -0.1, 10, c));
    assertEquals("sampleRate must be in (0, 1], was -0.1", q.getMessage());
    var steps =
        assertThrows(
            IllegalArgumentException.class,
            () -> NoiseCalibration.noiseMultiplier(1.0, 1e-5, 0.1, 0, c));
    assertEquals("steps must be >= 1, was 0", steps.getMessage());
  }
}
