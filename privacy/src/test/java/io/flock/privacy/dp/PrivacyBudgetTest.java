package io.flock.privacy.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The enforced budget, on Opacus's reference run (q 0.04, sigma 1.5: 7.32911117143 at 2250). */
class PrivacyBudgetTest {

  private static final double OPACUS_EPSILON = 7.3291111714386545;

  @Test
  void budgetPermitsARunUpToItsEpsilonAndNoFurther() {
    PrivacyAccountant run = PrivacyAccountant.empty().compose(0.04, 1.5, 2250);
    assertTrue(PrivacyBudget.of(8.0, 1e-5).permits(run));
    assertFalse(PrivacyBudget.of(7.0, 1e-5).permits(run));
    assertEquals(OPACUS_EPSILON, PrivacyBudget.of(8.0, 1e-5).spent(run).epsilon(), 1e-12);
  }

  @Test
  void budgetOfTheOpacusEpsilonAllowsExactly2250Steps() {
    PrivacyBudget budget = PrivacyBudget.of(OPACUS_EPSILON + 1e-12, 1e-5);
    assertEquals(2250, budget.remainingSteps(PrivacyAccountant.empty(), 0.04, 1.5));
    PrivacyAccountant spent = PrivacyAccountant.empty().compose(0.04, 1.5, 1000);
    assertEquals(1250, budget.remainingSteps(spent, 0.04, 1.5));
  }

  @Test
  void exhaustedBudgetAllowsNoMoreSteps() {
    PrivacyBudget budget = PrivacyBudget.of(7.0, 1e-5);
    PrivacyAccountant run = PrivacyAccountant.empty().compose(0.04, 1.5, 2250);
    assertEquals(0, budget.remainingSteps(run, 0.04, 1.5));
    assertEquals(0, budget.remainingSteps(PrivacyAccountant.empty(), 0.04, 0.0));
  }

  @Test
  void classicConversionIsAStricterBudget() {
    PrivacyBudget improved = new PrivacyBudget(8.0, 1e-5, Conversion.IMPROVED);
    PrivacyBudget classic = new PrivacyBudget(8.0, 1e-5, Conversion.CLASSIC);
    PrivacyAccountant none = PrivacyAccountant.empty();
    assertTrue(
        classic.remainingSteps(none, 0.04, 1.5) < improved.remainingSteps(none, 0.04, 1.5));
  }

  @Test
  void invalidBudgetsAreRejectedWithTheValue() {
    var eps = assertThrows(IllegalArgumentException.class, () -> PrivacyBudget.of(-1.0, 1e-5));
    assertEquals("epsilon must be > 0 and finite, was -1.0", eps.getMessage());
    var delta = assertThrows(IllegalArgumentException.class, () -> PrivacyBudget.of(1.0, 0.0));
    assertEquals("delta must be in (0, 1), was 0.0", delta.getMessage());
  }
}
