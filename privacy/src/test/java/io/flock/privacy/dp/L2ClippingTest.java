package io.flock.privacy.dp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class L2ClippingTest {

  @Test
  void normOfThreeFourIsFive() {
    assertEquals(5.0, L2Clipping.l2Norm(new float[] {3f, 4f}), 0.0);
  }

  @Test
  void updateAboveTheBoundIsScaledOntoTheSphere() {
    float[] update = {3f, 4f};
    double scale = L2Clipping.clipInPlace(update, 1.0);
    assertEquals(0.2, scale, 1e-12);
    assertArrayEquals(new float[] {0.6f, 0.8f}, update, 1e-7f);
    assertEquals(1.0, L2Clipping.l2Norm(update), 1e-6);
  }

  @Test
  void updateWithinTheBoundIsLeftUntouched() {
    float[] update = {0.3f, 0.4f};
    assertEquals(1.0, L2Clipping.clipInPlace(update, 1.0));
    assertArrayEquals(new float[] {0.3f, 0.4f}, update);
  }

  @Test
  void nonPositiveClipNormIsRejectedWithTheValue() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> L2Clipping.clipInPlace(new float[] {1f}, -1.0));
    assertTrue(e.getMessage().contains("-1.0"), e.getMessage());
  }

  @Test
  void updateWithNaNCannotBeClipped() {
    assertThrows(
        IllegalArgumentException.class,
        () -> L2Clipping.clipInPlace(new float[] {1f, Float.NaN}, 1.0));
  }
}
