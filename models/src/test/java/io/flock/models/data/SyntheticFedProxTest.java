package io.flock.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SyntheticFedProxTest {

  @Test
  void thirtyDevicesWithAtLeastFiftySamplesSplitNinetyTen() {
    SyntheticFedProx.Federation f = SyntheticFedProx.generate(1, 1, 0);
    assertEquals(30, f.trainPartition().size());
    assertEquals(60, f.train().featureDim());
    assertEquals(10, f.train().numClasses());
    int total = 0;
    for (int k = 0; k < 30; k++) {
      int train = f.trainPartition().get(k).length;
      int test = f.testPartition().get(k).length;
      int n = train + test;
      assertTrue(n >= 50, "device " + k + " has " + n + " samples");
      assertEquals((int) (0.9 * n), train);
      total += n;
    }
    assertEquals(f.train().size() + f.test().size(), total);
  }

  @Test
  void sameSeedSameFederation() {
    var a = SyntheticFedProx.generate(1, 1, 5);
    var b = SyntheticFedProx.generate(1, 1, 5);
    assertArrayEquals(a.train().labels(), b.train().labels());
    float[] x = new float[60];
    float[] y = new float[60];
    a.train().copyFeatures(17, x, 0);
    b.train().copyFeatures(17, y, 0);
    assertArrayEquals(x, y);
  }

  @Test
  void heterogeneousDevicesHaveSkewedLabels() {
    // With alpha = beta = 1 each device's own model decides its labels: most devices are
    // dominated by a few classes (the point of the benchmark).
    var f = SyntheticFedProx.generate(1, 1, 0);
    int skewed = 0;
    for (int[] part : f.trainPartition()) {
      int[] counts = new int[10];
      for (int i : part) {
        counts[f.train().label(i)]++;
      }
      int max = java.util.Arrays.stream(counts).max().orElse(0);
      if (max > part.length / 2) {
        skewed++;
      }
    }
    assertTrue(skewed >= 10, skewed + " of 30 devices have a majority class");
  }

  @Test
  void negativeAlphaIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> SyntheticFedProx.generate(-1, 1, 0));
  }
}
