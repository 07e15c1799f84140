package io.flock.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PartitionerTest {

  static int[] labels(int perClass, int classes) {
    int[] l = new int[perClass * classes];
    for (int i = 0; i < l.length; i++) {
      l[i] = i % classes;
    }
    return l;
  }

  @Test
  void iidGivesDisjointEqualPartsAndIsReproducibleFromTheSeed() {
    List<int[]> a = Partitioner.iid(1000, 10, 42);
    List<int[]> b = Partitioner.iid(1000, 10, 42);
    Set<Integer> seen = new HashSet<>();
    for (int n = 0; n < 10; n++) {
      assertEquals(100, a.get(n).length);
      assertArrayEquals(a.get(n), b.get(n));
      for (int i : a.get(n)) {
        assertTrue(seen.add(i), "index " + i + " given twice");
      }
    }
    assertTrue(!java.util.Arrays.equals(a.get(0), Partitioner.iid(1000, 10, 43).get(0)));
  }

  @Test
  void shardsGiveEachNodeAtMostTwoLabels() {
    int[] l = labels(600, 10); // 6000 samples, 10 classes
    List<int[]> parts = Partitioner.shards(l, 100, 2, 7); // 200 shards of 30
    Set<Integer> seen = new HashSet<>();
    for (int[] part : parts) {
      assertEquals(60, part.length);
      Set<Integer> classes = new HashSet<>();
      for (int i : part) {
        classes.add(l[i]);
        assertTrue(seen.add(i));
      }
      assertTrue(classes.size() <= 2, "node sees labels " + classes);
    }
  }

  @Test
  void moreNodesThanSamplesIsRejected() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Partitioner.iid(5, 10, 1));
    assertTrue(e.getMessage().contains("10 nodes"), e.getMessage());
  }

  @Test
  void dirichletPartitionCoversEverySampleOnceAndSkewsLabelsMoreForSmallAlpha() {
    int[] l = labels(600, 10);
    List<int[]> skewed = Partitioner.dirichlet(l, 20, 0.1, 3);
    List<int[]> mild = Partitioner.dirichlet(l, 20, 100, 3);
    for (List<int[]> parts : List.of(skewed, mild)) {
      Set<Integer> seen = new HashSet<>();
      for (int[] part : parts) {
        assertTrue(part.length > 0);
        for (int i : part) {
          assertTrue(seen.add(i), "index " + i + " given twice");
        }
      }
      assertEquals(6000, seen.size());
    }
    assertTrue(meanDominantShare(skewed, l) > 0.6, "alpha 0.1: " + meanDominantShare(skewed, l));
    assertTrue(meanDominantShare(mild, l) < 0.25, "alpha 100: " + meanDominantShare(mild, l));
    assertArrayEquals(skewed.get(7), Partitioner.dirichlet(l, 20, 0.1, 3).get(7), "seeded");
    assertThrows(IllegalArgumentException.class, () -> Partitioner.dirichlet(l, 20, 0, 3));
  }

  /** Mean over nodes of the share of the node's most frequent label. */
  static double meanDominantShare(List<int[]> parts, int[] labels) {
    double sum = 0;
    for (int[] part : parts) {
      int[] counts = new int[10];
      for (int i : part) {
        counts[labels[i]]++;
      }
      sum += (double) java.util.Arrays.stream(counts).max().orElse(0) / part.length;
    }
    return sum / parts.size();
  }

  @Test
  void quantitySkewUsesEverySampleOnceWithUnequalNodeSizes() {
    List<int[]> parts = Partitioner.quantity(6000, 50, 0.5, 9);
    Set<Integer> seen = new HashSet<>();
    int smallest = Integer.MAX_VALUE;
    int largest = 0;
    for (int[] part : parts) {
      assertTrue(part.length >= 1);
      smallest = Math.min(smallest, part.length);
      largest = Math.max(largest, part.length);
      for (int i : part) {
        assertTrue(seen.add(i), "index " + i + " given twice");
      }
    }
    assertEquals(6000, seen.size());
    assertTrue(largest > 10 * smallest, "sizes " + smallest + ".." + largest);
    assertArrayEquals(parts.get(3), Partitioner.quantity(6000, 50, 0.5, 9).get(3), "seeded");
  }
}
