package io.flock.privacy.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * RDP of the sampled Gaussian mechanism (Mironov, Talwar and Zhang 2019) against public reference
 * values and against the defining integral {@code A_alpha = E_{z ~ N(0, sigma^2)} [((1 - q) + q
 * exp((2z - 1) / (2 sigma^2)))^alpha]}, evaluated independently with mpmath 1.3 {@code quad} at 40
 * digits (the "integral" values below).
 */
class RdpAccountantTest {

  private static final double[] ORDERS = RdpAccountant.defaultOrders();

  private static double relErr(double expected, double actual) {
    return Math.abs(actual - expected) / Math.abs(expected);
  }

  @Test
  void defaultGridIsOpacusDefaultAlphas() {
    assertEquals(151, ORDERS.length);
    assertEquals(1.1, ORDERS[0]);
    assertEquals(10.9, ORDERS[98]);
    assertEquals(12.0, ORDERS[99]);
    assertEquals(63.0, ORDERS[150]);
  }

  @Test
  void opacusAccountantTestCaseGivesEpsilon7_32911() {
    // Opacus opacus/tests/accountants_test.py test_rdp_accountant: q = 0.04, sigma = 1.5,
    // steps = int(90 / 0.04) = 2250, delta = 1e-5, assertAlmostEqual(eps, 7.32911117143).
    double[] rdp = RdpAccountant.rdp(0.04, 1.5, 2250, ORDERS);
    PrivacySpent spent = RdpAccountant.epsilon(ORDERS, rdp, 1e-5, Conversion.IMPROVED);
    assertEquals(7.32911117143, spent.epsilon(), 1e-10);
    assertEquals(3.9, spent.order());
    assertEquals(1e-5, spent.delta());
    assertEquals(Conversion.IMPROVED, spent.conversion());
  }

  @Test
  void tfPrivacyMnistTutorialGivesEpsilon3_01WithClassicConversion() {
    // TF Privacy MNIST DP-SGD tutorial: n = 60000, batch 256, noise 1.1, 60 epochs, delta = 1e-5,
    // reported epsilon 3.01. compute_dp_sgd_privacy uses q = 256/60000 and
    // steps = ceil(60 * 60000 / 256) = 14063, with the classic conversion.
    long steps = (long) Math.ceil(60 * 60000 / 256.0);
    assertEquals(14063, steps);
    double[] rdp = RdpAccountant.rdp(256.0 / 60000, 1.1, steps, ORDERS);
    PrivacySpent spent = RdpAccountant.epsilon(ORDERS, rdp, 1e-5, Conversion.CLASSIC);
    assertEquals(3.01, Math.round(spent.epsilon() * 100) / 100.0);
    assertEquals(3.00838104682536, spent.epsilon(), 1e-9);
    assertEquals(8.8, spent.order());
    // The improved conversion certifies the same run at a smaller epsilon.
    PrivacySpent improved = RdpAccountant.epsilon(ORDERS, rdp, 1e-5, Conversion.IMPROVED);
    assertEquals(2.59665552868837, improved.epsilon(), 1e-9);
  }

  @Test
  void fullBatchIsThePlainGaussianMechanism() {
    // Mironov 2017, Proposition 7: the Gaussian mechanism is (alpha, alpha / (2 sigma^2))-RDP.
    assertEquals(3.5 / 8.0, RdpAccountant.rdp(1.0, 2.0, 3.5), 0.0);
    assertEquals(10.0 / 2.0, RdpAccountant.rdp(1.0, 1.0, 10.0), 0.0);
  }

  @Test
  void fullBatchEpsilonHasTheClosedFormAtEachOrder() {
    // q = 1, sigma = 4, one step, one order alpha = 10: rho = 10 / 32 = 0.3125;
    // classic: rho + ln(1e5) / 9 = 0.3125 + 1.2792546...; improved subtracts ln(10)/9 - ln(0.9).
    double[] orders = {10.0};
    double[] rdp = RdpAccountant.rdp(1.0, 4.0, 1, orders);
    assertEquals(0.3125, rdp[0], 0.0);
    double classic = RdpAccountant.epsilon(orders, rdp, 1e-5, Conversion.CLASSIC).epsilon();
    assertEquals(0.3125 + Math.log(1e5) / 9, classic, 1e-15);
    double improved = RdpAccountant.epsilon(orders, rdp, 1e-5, Conversion.IMPROVED).epsilon();
    assertEquals(0.3125 + Math.log(0.9) - (Math.log(1e-5) + Math.log(10)) / 9, improved, 1e-15);
  }

  @Test
  void integerOrdersMatchTheDefiningIntegral() {
    assertTrue(relErr(2.6463757458466136e-4, RdpAccountant.rdp(0.01, 1.0, 3.0)) < 1e-12);
    assertTrue(relErr(3.7884263143115316, RdpAccountant.rdp(0.04, 1.5, 32.0)) < 1e-12);
  }

  @Test
  void fractionalOrdersMatchTheDefiningIntegral() {
    // The series stops at terms below e^-30, which bounds the error near 1e-9 relative.
    assertTrue(relErr(2.1757533228188046e-4, RdpAccountant.rdp(0.01, 1.0, 2.5)) < 1e-9);
    assertTrue(relErr(4.8165674003429929e-4, RdpAccountant.rdp(0.04, 1.5, 1.1)) < 1e-8);
    assertTrue(relErr(6.5916720680729084e-3, RdpAccountant.rdp(0.04, 1.5, 10.9)) < 1e-9);
    assertTrue(relErr(4.9819377632093183e-2, RdpAccountant.rdp(0.5, 2.0, 1.5)) < 1e-9);
  }

  @Test
  void fractionalSeriesAgreesWithBinomialSumNextToAnIntegerOrder() {
    double atThree = RdpAccountant.rdp(0.04, 1.5, 3.0);
    double nearThree = RdpAccountant.rdp(0.04, 1.5, 3.0 + 1e-9);
    assertTrue(relErr(atThree, nearThree) < 1e-7, atThree + " vs " + nearThree);
  }

  @Test
  void rdpGrowsWithTheOrderAndShrinksWithTheNoise() {
    assertTrue(RdpAccountant.rdp(0.04, 1.5, 2.5) < RdpAccountant.rdp(0.04, 1.5, 3.5));
    assertTrue(RdpAccountant.rdp(0.04, 2.0, 2.5) < RdpAccountant.rdp(0.04, 1.5, 2.5));
    assertTrue(RdpAccountant.rdp(0.02, 1.5, 2.5) < RdpAccountant.rdp(0.04, 1.5, 2.5));
  }

  @Test
  void noNoiseMeansNoPrivacy() {
    assertEquals(Double.POSITIVE_INFINITY, RdpAccountant.rdp(0.04, 0.0, 2.0));
    double[] rdp = RdpAccountant.rdp(0.04, 0.0, 10, ORDERS);
    PrivacySpent spent = RdpAccountant.epsilon(ORDERS, rdp, 1e-5, Conversion.IMPROVED);
    assertEquals(Double.POSITIVE_INFINITY, spent.epsilon());
    assertTrue(Double.isNaN(spent.order()));
    assertEquals(1.0, RdpAccountant.delta(ORDERS, rdp, 1.0, Conversion.IMPROVED).delta());
  }

  @Test
  void deltaInvertsEpsilonForBothConversions() {
    double[] rdp = RdpAccountant.rdp(0.04, 1.5, 2250, ORDERS);
    for (Conversion conversion : Conversion.values()) {
      PrivacySpent eps = RdpAccountant.epsilon(ORDERS, rdp, 1e-5, conversion);
      PrivacySpent delta = RdpAccountant.delta(ORDERS, rdp, eps.epsilon(), conversion);
      assertEquals(1e-5, delta.delta(), 1e-15, conversion.name());
      assertEquals(eps.order(), delta.order(), conversion.name());
    }
  }

  @Test
  void deltaAtEpsilonEightForTheOpacusCase() {
    // Inverting the conversions at each order of the default grid (reference: the same closed
    // forms evaluated with NumPy on Opacus's RDP values).
    double[] rdp = RdpAccountant.rdp(0.04, 1.5, 2250, ORDERS);
    PrivacySpent improved = RdpAccountant.delta(ORDERS, rdp, 8.0, Conversion.IMPROVED);
    assertTrue(relErr(1.2737813849918034e-06, improved.delta()) < 1e-8, "" + improved);
    assertEquals(4.2, improved.order());
    PrivacySpent classic = RdpAccountant.delta(ORDERS, rdp, 8.0, Conversion.CLASSIC);
    assertTrue(relErr(1.2572535996439394e-05, classic.delta()) < 1e-8, "" + classic);
  }

  @Test
  void improvedConversionIsNeverLooserThanClassic() {
    double[] rdp = RdpAccountant.rdp(0.01, 0.9, 5000, ORDERS);
    for (double delta : new double[] {1e-3, 1e-5, 1e-9}) {
      double improved = RdpAccountant.epsilon(ORDERS, rdp, delta, Conversion.IMPROVED).epsilon();
      double classic = RdpAccountant.epsilon(ORDERS, rdp, delta, Conversion.CLASSIC).epsilon();
      assertTrue(improved <= classic, improved + " > " + classic + " at delta " + delta);
    }
  }

  @Test
  void sampleRateOutsideZeroOneIsRejectedWithTheValue() {
    var zero = assertThrows(IllegalArgumentException.class, () -> RdpAccountant.rdp(0.0, 1, 2));
    assertEquals("sampleRate must be in (0, 1], was 0.0", zero.getMessage());
    var big = assertThrows(IllegalArgumentException.class, () -> RdpAccountant.rdp(1.5, 1, 2));
    assertEquals("sampleRate must be in (0, 1], was 1.5", big.getMessage());
    assertThrows(IllegalArgumentException.class, () -> RdpAccountant.rdp(Double.NaN, 1, 2));
  }

  @Test
  void negativeNoiseIsRejectedWithTheValue() {
    var e = assertThrows(IllegalArgumentException.class, () -> RdpAccountant.rdp(0.1, -1.0, 2));
    assertEquals("noiseMultiplier must be >= 0 and finite, was -1.0", e.getMessage());
  }

  @Test
  void orderAtOrBelowOneIsRejected() {
    var e = assertThrows(IllegalArgumentException.class, () -> RdpAccountant.rdp(0.1, 1.0, 1.0));
    assertEquals("order must be in (1, 100000.0], was 1.0", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> RdpAccountant.rdp(0.1, 1.0, Double.NaN));
  }

  @Test
  void deltaOutsideZeroOneIsRejectedWithTheValue() {
    double[] rdp = RdpAccountant.rdp(0.04, 1.5, 10, ORDERS);
    for (double bad : new double[] {0.0, 1.0, -0.1, Double.NaN}) {
      var e =
          assertThrows(
              IllegalArgumentException.class,
              () -> RdpAccountant.epsilon(ORDERS, rdp, bad, Conversion.IMPROVED));
      assertEquals("delta must be in (0, 1), was " + bad, e.getMessage());
    }
  }

  @Test
  void nonPositiveEpsilonIsRejectedWithTheValue() {
    double[] rdp = RdpAccountant.rdp(0.04, 1.5, 10, ORDERS);
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RdpAccountant.delta(ORDERS, rdp, -1.0, Conversion.IMPROVED));
    assertEquals("epsilon must be > 0 and finite, was -1.0", e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> RdpAccountant.delta(ORDERS, rdp, 0.0, Conversion.CLASSIC));
  }

  @Test
  void curveOfTheWrongLengthIsRejected() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RdpAccountant.epsilon(ORDERS, new double[3], 1e-5, Conversion.IMPROVED));
    assertEquals("rdp must have one value per order (151), had 3", e.getMessage());
  }
}
