package io.flock.models.aggregation;

import static io.flock.models.aggregation.Updates.LAYOUT;
import static io.flock.models.aggregation.Updates.assertClose;
import static io.flock.models.aggregation.Updates.w;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flock.models.weights.ModelWeights;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Coordinate median and trimmed mean (Yin et al. 2018, Sec. 3) and Krum / Multi-Krum (Blanchard et
 * al. 2017, Sec. 4) on hand-computed two-parameter examples.
 */
class RobustAggregatorsTest {

  // ---- coordinate median ----

  @Test
  void medianOfAnOddCountIsTheMiddleValueOfEachCoordinate() {
    CoordinateMedian med = new CoordinateMedian(LAYOUT);
    med.add("a", w(1, 10), 1);
    med.add("b", w(2, 20), 1);
    med.add("c", w(100, -5), 1);
    // coordinate 0: 1 2 100 -> 2; coordinate 1: -5 10 20 -> 10
    assertEquals(w(2, 10), med.result());
  }

  @Test
  void medianOfAnEvenCountAveragesTheTwoMiddleValues() {
    CoordinateMedian med = new CoordinateMedian(LAYOUT);
    med.add("a", w(1, 4), 1);
    med.add("b", w(3, 0), 1);
    med.add("c", w(2, 8), 1);
    med.add("d", w(10, 6), 1);
    // coordinate 0: 1 2 3 10 -> (2 + 3) / 2; coordinate 1: 0 4 6 8 -> (4 + 6) / 2
    assertEquals(w(2.5f, 5f), med.result());
  }

  @Test
  void medianIgnoresSampleCounts() {
    CoordinateMedian med = new CoordinateMedian(LAYOUT);
    med.add("a", w(1, 1), 1);
    med.add("b", w(2, 2), 1);
    med.add("liar", w(9, 9), 1_000_000);
    assertEquals(w(2, 2), med.result());
  }

  @Test
  void medianBarelyMovesUnderOneAttackerOfFive() {
    CoordinateMedian med = new CoordinateMedian(LAYOUT);
    Updates.addHonestAndAttacker(med);
    // coordinate 0: -10 0.9 1.0 1.1 1.2 -> 1.0; coordinate 1: -1.1 -1.0 -0.9 -0.8 10 -> -0.9
    assertEquals(w(1.0f, -0.9f), med.result());
  }

  // ---- trimmed mean ----

  @Test
  void trimmedMeanDropsTheBetaFractionAtEachEndOfEachCoordinate() {
    TrimmedMean tm = new TrimmedMean(LAYOUT, 0.25);
    tm.add("a", w(1, 4), 1);
    tm.add("b", w(3, 0), 1);
    tm.add("c", w(2, 8), 1);
    tm.add("d", w(10, 6), 1);
    // floor(0.25 * 4) = 1 per side: coordinate 0 keeps 2 3 -> 2.5; coordinate 1 keeps 4 6 -> 5
    assertEquals(1, tm.trimmedPerSide(4));
    assertEquals(w(2.5f, 5f), tm.result());
  }

  @Test
  void trimmedMeanRoundsTheCutDownAndIsThePlainMeanWhenNothingIsCut() {
    TrimmedMean tm = new TrimmedMean(LAYOUT, 0.2);
    tm.add("a", w(1, 4), 1);
    tm.add("b", w(3, 0), 1000);
    tm.add("c", w(2, 8), 1);
    tm.add("d", w(10, 6), 1);
    // floor(0.2 * 4) = 0: the unweighted mean (16 / 4, 18 / 4), sample counts ignored
    assertEquals(0, tm.trimmedPerSide(4));
    assertEquals(w(4f, 4.5f), tm.result());
  }

  @Test
  void trimmedMeanBarelyMovesUnderOneAttackerOfFive() {
    TrimmedMean tm = new TrimmedMean(LAYOUT, 0.2);
    Updates.addHonestAndAttacker(tm);
    // floor(0.2 * 5) = 1 per side: coordinate 0 keeps 0.9 1.0 1.1 -> 1.0;
    // coordinate 1 keeps -1.0 -0.9 -0.8 -> -0.9
    assertClose(1.0f, -0.9f, tm.result());
  }

  @Test
  void trimOutsideZeroToOneHalfIsRejectedWithTheRule() {
    for (double bad : new double[] {-0.1, 0.5, 0.7, Double.NaN}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> new TrimmedMean(LAYOUT, bad));
      assertEquals("trim (beta) must be in [0, 0.5), was " + bad, e.getMessage());
    }
  }

  // ---- Krum / Multi-Krum ----
  //
  // Updates a=(0,0) b=(1,0) c=(0,2) d=(1,1) e=(10,10), f = 1, so each score sums the
  // n - f - 2 = 2 smallest squared distances:
  //   |a-b|^2=1 |a-c|^2=4 |a-d|^2=2 |a-e|^2=200 |b-c|^2=5 |b-d|^2=1 |b-e|^2=181
  //   |c-d|^2=2 |c-e|^2=164 |d-e|^2=162
  //   s(a)=1+2=3  s(b)=1+1=2  s(c)=2+4=6  s(d)=1+2=3  s(e)=162+164=326

  private static Krum krumExample(int m) {
    Krum krum = new Krum(LAYOUT, 1, m);
    krum.add("e", w(10, 10), 1);
    krum.add("c", w(0, 2), 1);
    krum.add("a", w(0, 0), 1);
    krum.add("d", w(1, 1), 1);
    krum.add("b", w(1, 0), 1);
    return krum;
  }

  @Test
  void krumReturnsTheUpdateWithTheLowestScore() {
    Krum krum = krumExample(1);
    assertEquals(w(1, 0), krum.result());
    assertEquals(List.of("b"), krum.selectedNodes());
  }

  @Test
  void multiKrumAveragesTheMBestAndBreaksTiesByNodeId() {
    Krum krum = krumExample(3);
    // b (2), then a and d tie at 3: a before d. Mean of (1,0) (0,0) (1,1) = (2/3, 1/3)
    assertClose(2f / 3, 1f / 3, krum.result());
    assertEquals(List.of("b", "a", "d"), krum.selectedNodes());
  }

  @Test
  void multiKrumWithMEqualToNMinusFAveragesAllButTheWorst() {
    Krum krum = krumExample(4);
    // b a d c: ((1+0+1+0)/4, (0+0+1+2)/4)
    assertEquals(w(0.5f, 0.75f), krum.result());
  }

  @Test
  void krumNeverSelectsTheAttacker() {
    // Squared distances among the honest: |1-2|=|1-3|=|2-4|=0.02, |1-4|=|2-3|=0.08, |3-4|=0.18;
    // the attacker is > 100 away from all. With f = 1 each score sums the 2 smallest:
    // s(1) = s(2) = 0.04, s(3) = s(4) = 0.10, s(attacker) > 200.
    Krum krum = new Krum(LAYOUT, 1, 1);
    Updates.addHonestAndAttacker(krum);
    ModelWeights chosen = krum.result();
    assertTrue(List.of("honest-1", "honest-2").contains(krum.selectedNodes().get(0)));
    assertTrue(chosen.equals(w(1.0f, -1.0f)) || chosen.equals(w(1.1f, -0.9f)), chosen.toString());

    Krum multi = new Krum(LAYOUT, 1, 2);
    Updates.addHonestAndAttacker(multi);
    // the mean of honest-1 and honest-2, whichever order float rounding ranks their tie
    assertClose(1.05f, -0.95f, multi.result());
    assertEquals(Set.of("honest-1", "honest-2"), Set.copyOf(multi.selectedNodes()));
  }

  @Test
  void krumNeedsMoreThanTwoFPlusTwoUpdates() {
    Krum krum = new Krum(LAYOUT, 1, 1);
    krum.add("a", w(0, 0), 1);
    krum.add("b", w(1, 0), 1);
    krum.add("c", w(0, 1), 1);
    krum.add("d", w(1, 1), 1);
    IllegalStateException e = assertThrows(IllegalStateException.class, krum::result);
    assertEquals("Krum with f = 1 needs n > 2f + 2 = 4 updates, has 4", e.getMessage());
    krum.add("e", w(2, 2), 1);
    assertEquals(5, krum.count());
    krum.result(); // five is enough
  }

  @Test
  void multiKrumCannotSelectMoreThanNMinusF() {
    Krum krum = krumExample(5);
    IllegalStateException e = assertThrows(IllegalStateException.class, krum::result);
    assertTrue(e.getMessage().contains("m = 5 must be <= n - f = 4"), e.getMessage());
  }

  @Test
  void krumParametersAreValidated() {
    assertEquals(
        "byzantine (f) must be >= 0, was -1",
        assertThrows(IllegalArgumentException.class, () -> new Krum(LAYOUT, -1, 1)).getMessage());
    assertEquals(
        "multi-Krum m must be >= 1 (1 = Krum), was 0",
        assertThrows(IllegalArgumentException.class, () -> new Krum(LAYOUT, 0, 0)).getMessage());
    assertTrue(new Krum(LAYOUT, 2, 3).byzantine() == 2);
  }
}
