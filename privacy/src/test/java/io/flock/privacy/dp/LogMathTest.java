package io.flock.privacy.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * {@code log(erfc(x))} against values computed with mpmath 1.3 at 40 significant digits ({@code
 * mp.log(mp.erfc(x))}), in each of Cody's three intervals, in the underflow range and for
 * negative arguments.
 */
class LogMathTest {

  @Test
  void logErfcMatchesFortyDigitReferenceAcrossCodysIntervals() {
    assertEquals(-0.32341480339361941803, LogMath.logErfc(0.25), 1e-15);
    assertEquals(-0.73501112983708440303, LogMath.logErfc(0.5), 1e-15);
    assertEquals(-1.8496055099332482486, LogMath.logErfc(1.0), 1e-15);
    assertEquals(-10.720363041981112568, LogMath.logErfc(3.0), 1e-13);
    assertEquals(-27.200889545537434422, LogMath.logErfc(5.0), 1e-13);
    assertEquals(-102.87988902484488857, LogMath.logErfc(10.0), 1e-12);
  }

  @Test
  void logErfcStaysFiniteWhereErfcUnderflows() {
    assertEquals(0.0, LogMath.erfc(30.0));
    assertEquals(-903.97411711064387808, LogMath.logErfc(30.0), 1e-10);
  }

  @Test
  void logErfcOfNegativeArgumentsApproachesLogTwo() {
    assertEquals(0.61123231767807049464, LogMath.logErfc(-1.0), 1e-15);
    assertEquals(0.69313613525044681032, LogMath.logErfc(-3.0), 1e-15);
    assertEquals(Math.log(2.0), LogMath.logErfc(-40.0), 0.0);
  }

  @Test
  void logAddAndLogSubAreInverse() {
    double sum = LogMath.logAdd(Math.log(3.0), Math.log(5.0));
    assertEquals(Math.log(8.0), sum, 1e-15);
    assertEquals(Math.log(3.0), LogMath.logSub(sum, Math.log(5.0)), 1e-15);
    assertEquals(Math.log(2.0), LogMath.logAdd(Double.NEGATIVE_INFINITY, Math.log(2.0)), 0.0);
    assertEquals(Double.NEGATIVE_INFINITY, LogMath.logSub(1.5, 1.5));
  }

  @Test
  void logSubOfALargerNumberIsAnError() {
    assertThrows(ArithmeticException.class, () -> LogMath.logSub(0.0, 1.0));
  }
}
