package io.flock.privacy.dp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stateful accountant: composition over steps and phases, read-out, and its wire form. */
class PrivacyAccountantTest {

  private static final double[] ORDERS = RdpAccountant.defaultOrders();

  @Test
  void opacusCaseThroughTheAccountantGivesEpsilon7_32911() {
    // Opacus accountants_test.py test_rdp_accountant (q 0.04, sigma 1.5, 2250 steps, delta 1e-5).
    PrivacySpent spent = PrivacyAccountant.empty().compose(0.04, 1.5, 2250).epsilon(1e-5);
    assertEquals(7.32911117143, spent.epsilon(), 1e-10);
    assertEquals(Conversion.IMPROVED, spent.conversion());
  }

  @Test
  void stepsComposedOneAtATimeMergeIntoOnePhaseWithTheSameEpsilon() {
    PrivacyAccountant accountant = PrivacyAccountant.empty();
    for (int round = 0; round < 2250; round++) {
      accountant = accountant.compose(0.04, 1.5, 1);
    }
    assertEquals(List.of(new PrivacyAccountant.Phase(0.04, 1.5, 2250)), accountant.phases());
    assertEquals(7.32911117143, accountant.epsilon(1e-5).epsilon(), 1e-10);
  }

  @Test
  void phasesWithDifferentParametersComposeByAddingTheirRdp() {
    PrivacyAccountant both =
        PrivacyAccountant.empty().compose(0.04, 1.5, 1000).compose(0.01, 0.8, 500);
    assertEquals(2, both.phases().size());
    assertEquals(1500, both.totalSteps());
    double[] first = RdpAccountant.rdp(0.04, 1.5, 1000, ORDERS);
    double[] second = RdpAccountant.rdp(0.01, 0.8, 500, ORDERS);
    double[] sum = new double[ORDERS.length];
    for (int k = 0; k < sum.length; k++) {
      sum[k] = first[k] + second[k];
    }
    assertArrayEquals(sum, both.rdp(ORDERS), 1e-15);
    // Reference: Opacus's compute_rdp summed over the two phases, get_privacy_spent (NumPy).
    assertEquals(5.325931830877126, both.epsilon(1e-5).epsilon(), 1e-9);
    assertEquals(4.5, both.epsilon(1e-5).order());
    assertEquals(5.9937099099259274, both.epsilon(1e-5, Conversion.CLASSIC).epsilon(), 1e-9);
  }

  @Test
  void phaseOrderDoesNotChangeTheSpend() {
    PrivacyAccountant ab = PrivacyAccountant.empty().compose(0.04, 1.5, 10).compose(0.1, 2.0, 5);
    PrivacyAccountant ba = PrivacyAccountant.empty().compose(0.1, 2.0, 5).compose(0.04, 1.5, 10);
    assertEquals(ab.epsilon(1e-6).epsilon(), ba.epsilon(1e-6).epsilon(), 1e-12);
  }

  @Test
  void opacusDocstringExampleOfTwoPhases() {
    // Opacus analysis/rdp.py module docstring: phases (1e-5, 1.0, 10) and (1e-4, 3.0, 4),
    // orders 2..32, delta 1e-5 -> (0.336, 23). More digits from the same algorithm in NumPy.
    double[] orders = new double[31];
    for (int k = 0; k < orders.length; k++) {
      orders[k] = k + 2;
    }
    PrivacySpent spent =
        PrivacyAccountant.empty()
            .compose(1e-5, 1.0, 10)
            .compose(1e-4, 3.0, 4)
            .epsilon(1e-5, Conversion.IMPROVED, orders);
    assertEquals(0.33634406339259565, spent.epsilon(), 1e-12);
    assertEquals(23.0, spent.order());
  }

  @Test
  void composeLeavesTheOriginalUnchanged() {
    PrivacyAccountant before = PrivacyAccountant.empty().compose(0.04, 1.5, 10);
    PrivacyAccountant after = before.compose(0.04, 1.5, 5);
    assertEquals(10, before.totalSteps());
    assertEquals(15, after.totalSteps());
    assertSame(before, before.compose(0.5, 1.0, 0));
  }

  @Test
  void nothingSpentStillReportsTheFloorOfTheOrderGrid() {
    // With rho = 0 the improved bound is log(62/63) - (log(1e-5) + log(63)) / 62 = 0.10287 at
    // the largest order: no (epsilon, delta) below it is certifiable on the default grid.
    PrivacySpent spent = PrivacyAccountant.empty().epsilon(1e-5);
    assertEquals(0.10286725121127971, spent.epsilon(), 1e-15);
    assertEquals(63.0, spent.order());
  }

  @Test
  void deltaForEpsilonInvertsEpsilonForDelta() {
    PrivacyAccountant accountant = PrivacyAccountant.empty().compose(0.04, 1.5, 2250);
    double eps = accountant.epsilon(1e-5).epsilon();
    assertEquals(1e-5, accountant.delta(eps).delta(), 1e-15);
    double classic = accountant.epsilon(1e-5, Conversion.CLASSIC).epsilon();
    assertEquals(1e-5, accountant.delta(classic, Conversion.CLASSIC).delta(), 1e-15);
  }

  @Test
  void invalidPhasesAreRejectedWithTheValue() {
    PrivacyAccountant empty = PrivacyAccountant.empty();
    var q = assertThrows(IllegalArgumentException.class, () -> empty.compose(0.0, 1.0, 1));
    assertEquals("sampleRate must be in (0, 1], was 0.0", q.getMessage());
    var s = assertThrows(IllegalArgumentException.class, () -> empty.compose(0.5, -2.0, 1));
    assertEquals("noiseMultiplier must be >= 0 and finite, was -2.0", s.getMessage());
    var n = assertThrows(IllegalArgumentException.class, () -> empty.compose(0.5, 1.0, -3));
    assertEquals("steps must be >= 0, was -3", n.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new PrivacyAccountant.Phase(0.5, 1.0, 0));
    assertThrows(NullPointerException.class, () -> new PrivacyAccountant(null));
  }

  @Test
  void accountantRoundTripsThroughJsonAndCborAsItsPhases() throws Exception {
    PrivacyAccountant accountant =
        PrivacyAccountant.empty().compose(0.04, 1.5, 2250).compose(0.01, 0.8, 7);
    ObjectMapper json = new ObjectMapper();
    assertEquals(
        "{\"phases\":[{\"sampleRate\":0.04,\"noiseMultiplier\":1.5,\"steps\":2250},"
            + "{\"sampleRate\":0.01,\"noiseMultiplier\":0.8,\"steps\":7}]}",
        json.writeValueAsString(accountant));
    CBORMapper cbor = new CBORMapper();
    byte[] bytes = cbor.writeValueAsBytes(accountant);
    PrivacyAccountant restored = cbor.readValue(bytes, PrivacyAccountant.class);
    assertEquals(accountant, restored);
    assertEquals(accountant.epsilon(1e-5), restored.epsilon(1e-5));
  }

  @Test
  void malformedCheckpointFailsWhenRead() {
    ObjectMapper json = new ObjectMapper();
    var e =
        assertThrows(
            ValueInstantiationException.class,
            () ->
                json.readValue(
                    "{\"phases\":[{\"sampleRate\":1.5,\"noiseMultiplier\":1.0,\"steps\":3}]}",
                    PrivacyAccountant.class));
    assertTrue(e.getMessage().contains("sampleRate must be in (0, 1], was 1.5"), e.getMessage());
  }

  @Test
  void privacySpentRoundTripsThroughCbor() throws Exception {
    PrivacySpent spent = PrivacyAccountant.empty().compose(0.04, 1.5, 2250).epsilon(1e-5);
    CBORMapper cbor = new CBORMapper();
    assertEquals(spent, cbor.readValue(cbor.writeValueAsBytes(spent), PrivacySpent.class));
  }
}
