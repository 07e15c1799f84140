package io.flock.privacy.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SecAgg+ neighbour graph (Bell et al. 2020): a Harary graph over a seeded permutation. */
class SecaggGraphTest {

  @Test
  void hararyGraphIsKRegularSymmetricAndConnected() {
    for (int[] nk : new int[][] {{20, 6}, {100, 16}, {7, 2}, {9, 8}}) {
      SecaggGraph g = SecaggGraph.harary(nk[0], nk[1], SecaggFixture.graphSeed(nk[0]));
      for (int u = 0; u < g.size(); u++) {
        int[] nb = g.neighbours(u);
        assertEquals(nk[1], nb.length);
        for (int j = 0; j < nb.length; j++) {
          assertTrue(nb[j] != u, "no self loop");
          assertTrue(j == 0 || nb[j] > nb[j - 1], "sorted, no duplicates");
          assertTrue(g.areNeighbours(nb[j], u), "symmetric");
          assertEquals(j + 1, g.shareIndex(u, nb[j]));
        }
      }
      assertEquals(g.size(), reachableFrom0(g), "connected");
    }
  }

  @Test
  void sameSeedGivesSameGraphAndAnotherSeedAnother() {
    SecaggGraph a = SecaggGraph.harary(30, 6, SecaggFixture.graphSeed(1));
    SecaggGraph b = SecaggGraph.harary(30, 6, SecaggFixture.graphSeed(1));
    SecaggGraph c = SecaggGraph.harary(30, 6, SecaggFixture.graphSeed(2));
    boolean differs = false;
    for (int u = 0; u < 30; u++) {
      assertArrayEquals(a.neighbours(u), b.neighbours(u));
      differs |= !java.util.Arrays.equals(a.neighbours(u), c.neighbours(u));
    }
    assertTrue(differs);
  }

  @Test
  void completeGraphAndDegreeNMinusOneLinkEveryPair() {
    for (SecaggGraph g :
        List.of(SecaggGraph.complete(6), SecaggGraph.harary(7, 6, SecaggFixture.graphSeed(0)))) {
      assertTrue(g.isComplete());
      for (int u = 0; u < g.size(); u++) {
        assertEquals(g.size() - 1, g.neighbours(u).length);
      }
    }
    assertFalse(SecaggGraph.harary(8, 6, SecaggFixture.graphSeed(0)).isComplete());
  }

  @Test
  void invalidDegreeAndThresholdsOfAtMostHalfTheDegreeAreRefused() {
    byte[] s = SecaggFixture.graphSeed(0);
    var odd = assertThrows(IllegalArgumentException.class, () -> SecaggGraph.harary(10, 5, s));
    assertTrue(odd.getMessage().contains("degree k must be even and in [2, n) = [2, 10), was 5"));
    assertThrows(IllegalArgumentException.class, () -> SecaggGraph.harary(10, 10, s));
    assertThrows(IllegalArgumentException.class, () -> SecaggGraph.harary(10, 0, s));
    assertThrows(IllegalArgumentException.class, () -> SecaggGraph.harary(300, 256, new byte[32]));
    assertThrows(IllegalArgumentException.class, () -> SecaggGraph.harary(10, 4, new byte[31]));
    assertThrows(IllegalArgumentException.class, () -> SecaggGraph.complete(1));
    SecaggGraph g = SecaggGraph.harary(10, 4, s);
    SecaggQuantizer q = new SecaggQuantizer(1, 8);
    List<byte[]> keys = java.util.Collections.nCopies(10, new byte[1]);
    var t0 =
        assertThrows(IllegalArgumentException.class, () -> new SecaggConfig(1, g, 0, 5, q, keys));
    assertTrue(t0.getMessage().contains("threshold t must be in (k/2, k] = [3, 4], was 0"), t0.getMessage());
    var half =
        assertThrows(IllegalArgumentException.class, () -> new SecaggConfig(1, g, 2, 5, q, keys));
    assertTrue(half.getMessage().contains("was 2: with t <= k/2 a server"), half.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new SecaggConfig(1, g, 5, 5, q, keys));
    assertThrows(IllegalArgumentException.class, () -> new SecaggConfig(1, g, 3, 0, q, keys));
    assertThrows(
        IllegalArgumentException.class, () -> new SecaggConfig(1, g, 3, 5, q, keys.subList(0, 9)));
  }

  @Test
  void ofGivesTheCompleteGraphForDegreeNMinusOneAndTheHararyGraphBelow() {
    byte[] seed = SecaggFixture.graphSeed(3);
    assertTrue(SecaggGraph.of(5, 4, seed).isComplete());
    SecaggGraph sparse = SecaggGraph.of(9, 4, seed);
    assertFalse(sparse.isComplete());
    assertEquals(4, sparse.degree());
    assertThrows(IllegalArgumentException.class, () -> SecaggGraph.of(9, 9, seed));
  }

  private static int reachableFrom0(SecaggGraph g) {
    boolean[] seen = new boolean[g.size()];
    ArrayDeque<Integer> queue = new ArrayDeque<>(List.of(0));
    seen[0] = true;
    int count = 1;
    while (!queue.isEmpty()) {
      for (int v : g.neighbours(queue.poll())) {
        if (!seen[v]) {
          seen[v] = true;
          count++;
          queue.add(v);
        }
      }
    }
    return count;
  }
}
