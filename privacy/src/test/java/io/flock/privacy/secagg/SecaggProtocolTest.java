package io.flock.privacy.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flock.privacy.secagg.SecaggMessages.MaskedInput;
import io.flock.privacy.secagg.SecaggMessages.Result;
import io.flock.privacy.secagg.SecaggMessages.SharedKeys;
import io.flock.privacy.secagg.SecaggMessages.UnmaskRequest;
import java.security.SecureRandom;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * End-to-end rounds of the protocol (Bonawitz et al. 2017 over the SecAgg+ graph of Bell et al.
 * 2020): the unmasked sum is exact, with and without dropouts, and fails clearly when too many
 * drop.
 */
class SecaggProtocolTest {

  private static final SecaggQuantizer Q = new SecaggQuantizer(1.0, 16);

  @Test
  void completeGraphSumEqualsPlainSumOfQuantizedInputs() {
    SecaggFixture f = new SecaggFixture(SecaggGraph.complete(8), 5, 257, Q, 1).shareKeys();
    int[][] q = f.quantizedInputs(11);
    Result r = f.maskQuantized(q, Set.of()).unmask(Set.of());
    assertArrayEquals(f.plainSum(q, Set.of()), r.sum());
    assertEquals(8, r.count());
  }

  @Test
  void sparseGraphSumEqualsPlainSumOfQuantizedInputs() {
    SecaggGraph g = SecaggGraph.harary(20, 6, SecaggFixture.graphSeed(3));
    SecaggFixture f = new SecaggFixture(g, 4, 300, Q, 2).shareKeys();
    int[][] q = f.quantizedInputs(12);
    Result r = f.maskQuantized(q, Set.of()).unmask(Set.of());
    assertArrayEquals(f.plainSum(q, Set.of()), r.sum());
    assertEquals(20, r.count());
  }

  @Test
  void floatSumIsWithinQuantizationErrorForCompleteAndSparseGraphs() {
    for (SecaggGraph g :
        List.of(SecaggGraph.complete(8), SecaggGraph.harary(20, 6, SecaggFixture.graphSeed(4)))) {
      int n = g.size();
      SecaggFixture f = new SecaggFixture(g, 4, 500, Q, 5).shareKeys();
      SecureRandom r = SecaggFixture.random(99);
      float[][] x = new float[n][500];
      double[] exact = new double[500];
      for (int u = 0; u < n; u++) {
        for (int i = 0; i < 500; i++) {
          x[u][i] = (float) (r.nextDouble() * 1.6 - 0.8);
          exact[i] += x[u][i];
        }
      }
      float[] sum = f.maskFloats(x, Set.of()).unmask(Set.of()).sum();
      double bound = n * Q.step() + 1e-4; // each client rounds by less than one step
      for (int i = 0; i < 500; i++) {
        assertTrue(Math.abs(sum[i] - exact[i]) < bound, g + " coordinate " + i);
      }
    }
  }

  @Test
  void sumOfSurvivorsIsExactWhenClientsDropAfterShareKeys() {
    SecaggGraph g = SecaggGraph.harary(20, 6, SecaggFixture.graphSeed(5));
    SecaggFixture f = new SecaggFixture(g, 4, 200, Q, 6).shareKeys();
    int[][] q = f.quantizedInputs(13);
    Set<Integer> dropped = Set.of(2, 9, 15);
    Result r = f.maskQuantized(q, dropped).unmask(Set.of());
    assertArrayEquals(f.plainSum(q, dropped), r.sum());
    assertEquals(17, r.count());
    assertTrue(r.survivors().stream().noneMatch(dropped::contains));
  }

  @Test
  void sumOfSurvivorsIsExactWhenAClientDropsAfterAdvertisingKeys() {
    SecaggGraph g = SecaggGraph.harary(12, 6, SecaggFixture.graphSeed(8));
    SecaggFixture f = new SecaggFixture(g, 4, 40, Q, 13);
    int gone = 5; // advertises keys, then never shares: its neighbours' shares for it are dropped
    f.clients.forEach(c -> f.server.receiveKeys(c.advertiseKeys()));
    f.neighbourKeys = f.server.relayKeys();
    for (SecaggClient c : f.clients) {
      var shared = c.shareKeys(f.neighbourKeys.get(c.id()));
      if (c.id() != gone) {
        f.server.receiveShares(shared);
      }
    }
    f.incoming = f.server.relayShares();
    int[][] q = f.quantizedInputs(19);
    Result r = f.maskQuantized(q, Set.of(gone)).unmask(Set.of());
    assertArrayEquals(f.plainSum(q, Set.of(gone)), r.sum());
    assertEquals(11, r.count());
  }

  @Test
  void sharedKeysWithoutAShareForEveryAdvertisedNeighbourIsRefusedAndTheRoundStillSumsExactly() {
    SecaggFixture f = new SecaggFixture(SecaggGraph.complete(5), 3, 16, Q, 14);
    f.clients.forEach(c -> f.server.receiveKeys(c.advertiseKeys()));
    f.neighbourKeys = f.server.relayKeys();
    for (SecaggClient c : f.clients) {
      SharedKeys s = c.shareKeys(f.neighbourKeys.get(c.id()));
      if (c.id() == 0) { // its first share is for client 1; without it only 0 masks with 1
        var trimmed = new SharedKeys(s.round(), 0, s.shares().subList(1, s.shares().size()));
        IllegalArgumentException refused =
            assertThrows(IllegalArgumentException.class, () -> f.server.receiveShares(trimmed));
        assertTrue(
            refused.getMessage().contains("SharedKeys of client 0 holds no share for client 1"),
            refused.getMessage());
      }
      f.server.receiveShares(s);
    }
    f.incoming = f.server.relayShares();
    int[][] q = f.quantizedInputs(20);
    Result r = f.maskQuantized(q, Set.of()).unmask(Set.of());
    assertArrayEquals(f.plainSum(q, Set.of()), r.sum());
  }

  @Test
  void survivorWithNoDroppedNeighbourMayMissUnmaskWithoutBreakingTheSum() {
    SecaggFixture f = new SecaggFixture(SecaggGraph.complete(6), 4, 64, Q, 7).shareKeys();
    int[][] q = f.quantizedInputs(14);
    // Nobody dropped before Unmask, so client 3's self mask comes back from its neighbours' shares.
    Result r = f.maskQuantized(q, Set.of()).unmask(Set.of(3));
    assertArrayEquals(f.plainSum(q, Set.of()), r.sum());
  }

  @Test
  void finishFailsNamingTheSurvivorWithFewerThanThresholdShares() {
    SecaggGraph g = SecaggGraph.harary(20, 6, SecaggFixture.graphSeed(6));
    SecaggFixture f = new SecaggFixture(g, 4, 32, Q, 8).shareKeys();
    int u = 0;
    int[] nb = g.neighbours(u);
    Set<Integer> dropped = Set.of(nb[0], nb[1], nb[2]); // 3 of 6 neighbours remain, t = 4
    f.maskQuantized(f.quantizedInputs(15), dropped);
    // Client 0 itself refuses to unmask with fewer than t surviving neighbours; the server, left
    // without its answer, still names it as the survivor whose self mask cannot be removed.
    IllegalStateException refused =
        assertThrows(IllegalStateException.class, () -> f.clients.get(u).unmask(f.unmaskRequest));
    assertTrue(
        refused.getMessage().contains("only 3 of the 6 neighbours client 0 masked with"),
        refused.getMessage());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> f.unmask(Set.of(u)));
    assertTrue(
        e.getMessage().contains("self mask of client " + u + ": 3 shares of its seed arrived"),
        e.getMessage());
    assertTrue(e.getMessage().contains("threshold is 4"), e.getMessage());
  }

  @Test
  void serverRefusesToUnmaskWhenFewerThanThresholdInputsArrive() {
    SecaggFixture f = new SecaggFixture(SecaggGraph.complete(5), 4, 16, Q, 9).shareKeys();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> f.maskQuantized(f.quantizedInputs(16), Set.of(0, 1)));
    assertTrue(e.getMessage().contains("only 3 masked inputs arrived, threshold is 4"));
  }

  @Test
  void clientRefusesToUnmaskWhenFewerThanThresholdSurvivorsAreNamed() {
    SecaggFixture f = new SecaggFixture(SecaggGraph.complete(5), 4, 16, Q, 10).shareKeys();
    f.maskQuantized(f.quantizedInputs(17), Set.of());
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> f.clients.get(2).unmask(new UnmaskRequest(f.config.round(), List.of(1, 2, 3))));
    assertTrue(e.getMessage().contains("only 3 survivors, threshold is 4"), e.getMessage());
  }

  @Test
  void finishFailsWhenASurvivorWithADroppedNeighbourDoesNotAnswer() {
    SecaggFixture f = new SecaggFixture(SecaggGraph.complete(6), 3, 16, Q, 11).shareKeys();
    f.maskQuantized(f.quantizedInputs(18), Set.of(5));
    // Only client 1 knows its pairwise seed with dropped client 5 (the KEM adaptation).
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> f.unmask(Set.of(1)));
    assertTrue(
        e.getMessage().contains("between surviving client 1 and dropped client 5"), e.getMessage());
  }

  @Test
  void tooManyNeighboursMissingAtShareKeysIsRefusedByTheClient() {
    SecaggFixture f = new SecaggFixture(SecaggGraph.complete(5), 4, 16, Q, 12);
    for (int u = 0; u < 4; u++) { // client 4 never advertises: clients 0..3 see 3 neighbours, t = 4
      f.server.receiveKeys(f.clients.get(u).advertiseKeys());
    }
    var keys = f.server.relayKeys();
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> f.clients.get(0).shareKeys(keys.get(0)));
    assertTrue(e.getMessage().contains("only 3 of client 0's 4 neighbours advertised keys"));
  }

  @Test
  void maskedInputSurvivesItsLittleEndianBytesExactlyAndALengthNotAMultipleOfFourIsRefused() {
    MaskedInput y = new MaskedInput(7, 3, new int[] {-1, 0, 7, Integer.MIN_VALUE, 0x01020304});
    byte[] bytes = y.toLittleEndian();
    assertEquals(20, bytes.length);
    assertEquals(4, bytes[16]); // little-endian: the low byte of 0x01020304 first
    assertEquals(y, MaskedInput.fromLittleEndian(7, 3, bytes));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> MaskedInput.fromLittleEndian(7, 3, java.util.Arrays.copyOf(bytes, 19)));
    assertTrue(e.getMessage().contains("4 bytes per coordinate, got 19 bytes"), e.getMessage());
  }
}
