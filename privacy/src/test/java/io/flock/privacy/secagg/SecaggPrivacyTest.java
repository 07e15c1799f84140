package io.flock.privacy.secagg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flock.privacy.secagg.SecaggMessages.AdvertisedKeys;
import io.flock.privacy.secagg.SecaggMessages.IncomingShares;
import io.flock.privacy.secagg.SecaggMessages.MaskedInput;
import io.flock.privacy.secagg.SecaggMessages.NeighbourKeys;
import io.flock.privacy.secagg.SecaggMessages.Revealed;
import io.flock.privacy.secagg.SecaggMessages.SharedKeys;
import io.flock.privacy.secagg.SecaggMessages.UnmaskRequest;
import io.flock.privacy.secagg.SecaggMessages.UnmaskResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the server can and cannot learn from the messages it sees. */
class SecaggPrivacyTest {

  private static final SecaggQuantizer Q = new SecaggQuantizer(1.0, 16);

  @Test
  void maskedInputOfAnAllZeroUpdateIsUniformBytesAndSharesNoCoordinateWithIt() {
    int length = 10_000;
    SecaggGraph g = SecaggGraph.harary(10, 4, SecaggFixture.graphSeed(1));
    SecaggFixture f = new SecaggFixture(g, 3, length, Q, 21).shareKeys();
    int[] zeros = new int[length]; // the most predictable input there is
    MaskedInput y = f.clients.get(4).maskQuantized(f.incoming.get(4), zeros);
    int[] masked = y.masked();
    long[] counts = new long[256];
    int equal = 0;
    for (int v : masked) {
      for (int s = 0; s < 32; s += 8) {
        counts[(v >>> s) & 0xFF]++;
      }
      equal += v == 0 ? 1 : 0;
    }
    double expected = 4.0 * length / 256;
    double chi2 = 0;
    for (long c : counts) {
      chi2 += (c - expected) * (c - expected) / expected;
    }
    // 255 degrees of freedom: mean 255, sd 22.6; 330 is the 99.9th percentile.
    assertTrue(chi2 < 330, "chi-square of masked bytes " + chi2);
    assertEquals(0, equal, "coordinates left equal to the input");
  }

  @Test
  void clientRefusesToRevealSelfMaskShareAndPairwiseSeedForTheSameNeighbour() {
    SecaggFixture f = new SecaggFixture(SecaggGraph.complete(6), 3, 16, Q, 22).shareKeys();
    f.maskQuantized(f.quantizedInputs(1), Set.of());
    SecaggClient c = f.clients.get(0);
    UnmaskResponse first = c.unmask(f.unmaskRequest); // all survive: shares of b_1..b_5
    assertEquals(5, first.selfMaskShares().size());
    assertEquals(first, c.unmask(f.unmaskRequest), "repeating the same request is harmless");
    UnmaskRequest without3 = new UnmaskRequest(f.config.round(), List.of(0, 1, 2, 4, 5));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.unmask(without3));
    assertTrue(
        e.getMessage().contains("already revealed its share of the self-mask seed of client 3"));
  }

  @Test
  void clientThatRevealedAPairwiseSeedRefusesToRevealTheSelfMaskShare() {
    SecaggFixture f = new SecaggFixture(SecaggGraph.complete(6), 3, 16, Q, 23).shareKeys();
    f.maskQuantized(f.quantizedInputs(2), Set.of());
    SecaggClient c = f.clients.get(0);
    UnmaskResponse r = c.unmask(new UnmaskRequest(f.config.round(), List.of(0, 1, 2, 4, 5)));
    assertEquals(3, r.pairwiseSeeds().get(0).about());
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> c.unmask(f.unmaskRequest));
    assertTrue(e.getMessage().contains("already revealed its pairwise seed with client 3"));
  }

  @Test
  void serverGivingNeighboursBothSurvivorSetsGetsOneSecretPerNeighbourAboutTheTarget() {
    SecaggFixture f = new SecaggFixture(SecaggGraph.complete(6), 4, 16, Q, 30).shareKeys();
    f.maskQuantized(f.quantizedInputs(3), Set.of());
    UnmaskRequest with0 = f.unmaskRequest;
    UnmaskRequest without0 = new UnmaskRequest(f.config.round(), List.of(1, 2, 3, 4, 5));
    int selfMaskShares = 0;
    int pairwiseSeeds = 0;
    for (int v = 1; v <= 5; v++) {
      SecaggClient c = f.clients.get(v);
      // The curious server asks neighbours 1-2 "0 dropped" first, 3-5 "0 survived" first.
      UnmaskRequest first = v <= 2 ? without0 : with0;
      UnmaskRequest second = v <= 2 ? with0 : without0;
      UnmaskResponse r = c.unmask(first);
      selfMaskShares += (int) r.selfMaskShares().stream().filter(x -> x.about() == 0).count();
      pairwiseSeeds += (int) r.pairwiseSeeds().stream().filter(x -> x.about() == 0).count();
      assertThrows(IllegalStateException.class, () -> c.unmask(second));
    }
    // Unmasking y_0 takes t = 4 shares of b_0 and all 5 seeds s_0v; it got 3 and 2.
    assertEquals(3, selfMaskShares);
    assertEquals(2, pairwiseSeeds);
  }

  @Test
  void targetToldThatItsNeighboursDroppedRefusesSoTheServerCannotStripItsMasks() {
    // The attack: the server tells target 0 that all its neighbours dropped (padding the list
    // with non-neighbours to reach t), so 0 itself would reveal every s_0v; it tells the
    // neighbours the truth, that 0 survived, so they reveal t shares of b_0. With both, the
    // server strips every mask of y_0 (an earlier version fell to this). The target refuses.
    SecaggGraph g = SecaggGraph.harary(20, 6, SecaggFixture.graphSeed(7));
    SecaggFixture f = new SecaggFixture(g, 4, 64, Q, 31).shareKeys();
    int[][] q = f.quantizedInputs(4);
    for (SecaggClient c : f.clients) {
      f.server.receiveMaskedInput(c.maskQuantized(f.incoming.get(c.id()), q[c.id()]));
    }
    int target = 0;
    List<Integer> lie = new ArrayList<>(List.of(target));
    for (int v = 1; lie.size() < f.config.threshold(); v++) {
      if (!g.areNeighbours(target, v)) {
        lie.add(v);
      }
    }
    IllegalStateException refused =
        assertThrows(
            IllegalStateException.class,
            () -> f.clients.get(target).unmask(new UnmaskRequest(f.config.round(), lie)));
    assertTrue(
        refused.getMessage().contains("only 0 of the 6 neighbours client 0 masked with"),
        refused.getMessage());
  }

  @Test
  void aFlippedBitInAnEncryptedShareFailsAesGcmAuthentication() {
    SecaggFixture f = new SecaggFixture(SecaggGraph.complete(4), 2, 8, Q, 24).shareKeys();
    var in = f.incoming.get(1);
    var shares = new ArrayList<>(in.shares());
    var e0 = shares.get(0);
    byte[] sealed = e0.sealedShare();
    sealed[5] ^= 0x10;
    shares.set(
        0, new SecaggMessages.EncryptedShare(e0.from(), e0.to(), e0.kemCiphertext(), sealed));
    var tampered = new SecaggMessages.IncomingShares(in.round(), in.recipient(), shares);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> f.clients.get(1).maskInput(tampered, new float[8]));
    assertTrue(
        e.getMessage().contains("share from client " + e0.from() + " to client 1 failed AES-GCM"),
        e.getMessage());
    // The refusal left the client in its phase: the genuine message still works.
    f.clients.get(1).maskInput(in, new float[8]);
  }

  @Test
  void aFlippedBitInAKemCiphertextFailsAesGcmAuthentication() {
    SecaggFixture f = new SecaggFixture(SecaggGraph.complete(4), 2, 8, Q, 25).shareKeys();
    var in = f.incoming.get(2);
    var e0 = in.shares().get(1);
    byte[] ct = e0.kemCiphertext();
    ct[100] ^= 1;
    var tampered =
        new SecaggMessages.IncomingShares(
            in.round(),
            2,
            List.of(
                in.shares().get(0),
                new SecaggMessages.EncryptedShare(e0.from(), 2, ct, e0.sealedShare()),
                in.shares().get(2)));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> f.clients.get(2).maskInput(tampered, new float[8]));
    assertTrue(
        e.getMessage().contains("share from client " + e0.from() + " to client 2 failed AES-GCM"),
        e.getMessage());
  }

  @Test
  void advertisedKeysWithABadSignatureAreRefusedByServerAndClient() {
    SecaggFixture f = new SecaggFixture(SecaggGraph.complete(4), 2, 8, Q, 26);
    var good = f.clients.get(0).advertiseKeys();
    byte[] sig = good.signature();
    sig[10] ^= 1;
    var bad =
        new SecaggMessages.AdvertisedKeys(
            good.round(), 0, good.x25519Public(), good.kemPublic(), sig);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> f.server.receiveKeys(bad));
    assertTrue(e.getMessage().contains("client 0 carry no valid ML-DSA-65 signature"));
    // Keys signed by another client's identity are refused too.
    var forged =
        new SecaggMessages.AdvertisedKeys(
            good.round(), 1, good.x25519Public(), good.kemPublic(), good.signature());
    assertThrows(IllegalArgumentException.class, () -> f.server.receiveKeys(forged));
    f.clients.get(1).advertiseKeys();
    var relayed = new SecaggMessages.NeighbourKeys(good.round(), 1, List.of(bad));
    assertThrows(IllegalArgumentException.class, () -> f.clients.get(1).shareKeys(relayed));
  }

  @Test
  void signedLowOrderX25519OrInvalidKemKeyIsRefusedNamingItsClientAndLeavesTheClientAsItWas() {
    SecaggFixture f = new SecaggFixture(SecaggGraph.complete(6), 3, 8, Q, 32);
    List<AdvertisedKeys> keys = new ArrayList<>();
    f.clients.forEach(c -> keys.add(c.advertiseKeys()));
    AdvertisedKeys good2 = keys.get(2);
    byte[] lowOrder = new byte[32]; // the point u = 0: every X25519 secret with it is zero
    byte[] signed =
        SecaggCrypto.transcript("advertise", good2.round(), 2, -1, lowOrder, good2.kemPublic());
    AdvertisedKeys bad2 =
        new AdvertisedKeys(
            good2.round(), 2, lowOrder, good2.kemPublic(), f.identities.get(2).sign(signed));
    IllegalArgumentException atServer =
        assertThrows(IllegalArgumentException.class, () -> f.server.receiveKeys(bad2));
    assertTrue(atServer.getMessage().contains("X25519 key of client 2"), atServer.getMessage());
    // Likewise an ML-KEM-768 key that fails FIPS 203's modulus check (coefficients >= q).
    byte[] overQ = new byte[SecaggCrypto.KEM_PUBLIC_BYTES];
    java.util.Arrays.fill(overQ, (byte) 0xFF);
    byte[] signedKem =
        SecaggCrypto.transcript("advertise", good2.round(), 2, -1, good2.x25519Public(), overQ);
    AdvertisedKeys badKem2 =
        new AdvertisedKeys(
            good2.round(), 2, good2.x25519Public(), overQ, f.identities.get(2).sign(signedKem));
    IllegalArgumentException kemAtServer =
        assertThrows(IllegalArgumentException.class, () -> f.server.receiveKeys(badKem2));
    assertTrue(
        kemAtServer.getMessage().contains("ML-KEM-768 key of client 2"), kemAtServer.getMessage());
    // Client 0 gets the bad key between two good ones and refuses the whole message ...
    SecaggClient c = f.clients.get(0);
    NeighbourKeys relayed =
        new NeighbourKeys(f.config.round(), 0, List.of(keys.get(1), bad2, keys.get(3)));
    IllegalArgumentException atClient =
        assertThrows(IllegalArgumentException.class, () -> c.shareKeys(relayed));
    assertTrue(atClient.getMessage().contains("X25519 key of client 2"), atClient.getMessage());
    // ... and keeps nothing of it: keyed with clients 3, 4 and 5 (t of them), it takes no share
    // from client 1.
    c.shareKeys(new NeighbourKeys(f.config.round(), 0, List.of(keys.get(3), keys.get(4), keys.get(5))));
    SharedKeys from1 =
        f.clients.get(1).shareKeys(new NeighbourKeys(f.config.round(), 1,
            List.of(keys.get(0), keys.get(3), keys.get(4))));
    IncomingShares in = new IncomingShares(f.config.round(), 0,
        from1.shares().stream().filter(share -> share.to() == 0).toList());
    IllegalArgumentException stale =
        assertThrows(IllegalArgumentException.class, () -> c.maskInput(in, new float[8]));
    assertTrue(stale.getMessage().contains("neighbours it keyed"), stale.getMessage());
  }

  @Test
  void messagesOfAnotherRoundAreRefused() {
    SecaggFixture round7 = new SecaggFixture(SecaggGraph.complete(4), 2, 8, Q, 27, 7);
    SecaggFixture round8 = new SecaggFixture(SecaggGraph.complete(4), 2, 8, Q, 27, 8);
    var keys = round8.clients.get(0).advertiseKeys(); // validly signed, but for round 8
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> round7.server.receiveKeys(keys));
    assertTrue(e.getMessage().contains("is for round 8, this is round 7"), e.getMessage());
  }

  @Test
  void wrongLengthNanAndInfiniteUpdatesAreRefused() {
    SecaggFixture f = new SecaggFixture(SecaggGraph.complete(4), 2, 8, Q, 28).shareKeys();
    SecaggClient c = f.clients.get(0);
    var in = f.incoming.get(0);
    var e1 = assertThrows(IllegalArgumentException.class, () -> c.maskInput(in, new float[7]));
    assertTrue(e1.getMessage().contains("update must have length 8, had 7"));
    float[] nan = new float[8];
    nan[3] = Float.NaN;
    var e2 = assertThrows(IllegalArgumentException.class, () -> c.maskInput(in, nan));
    assertTrue(e2.getMessage().contains("update[3] must be finite, was NaN"));
    float[] inf = new float[8];
    inf[0] = Float.NEGATIVE_INFINITY;
    assertThrows(IllegalArgumentException.class, () -> c.maskInput(in, inf));
    var y = c.maskInput(in, new float[8]);
    var shortY = new MaskedInput(y.round(), 0, new int[7]);
    var e3 =
        assertThrows(IllegalArgumentException.class, () -> f.server.receiveMaskedInput(shortY));
    assertTrue(e3.getMessage().contains("must have length 8, had 7"));
  }

  @Test
  void nullListsAndNullEntriesInMessagesAreRefusedNamingTheField() {
    var e1 = assertThrows(NullPointerException.class, () -> new NeighbourKeys(7, 0, null));
    assertEquals("keys must not be null", e1.getMessage());
    var e2 =
        assertThrows(
            NullPointerException.class,
            () -> new UnmaskRequest(7, java.util.Arrays.asList(0, null, 2)));
    assertEquals("survivors[1] is null", e2.getMessage());
    var e3 =
        assertThrows(
            NullPointerException.class,
            () -> new UnmaskResponse(7, 0, List.of(), java.util.Arrays.asList((Revealed) null)));
    assertEquals("pairwiseSeeds[0] is null", e3.getMessage());
    SecaggFixture f = new SecaggFixture(SecaggGraph.complete(4), 2, 8, Q, 33);
    var e4 = assertThrows(NullPointerException.class, () -> f.server.receiveKeys(null));
    assertEquals("AdvertisedKeys must not be null", e4.getMessage());
  }

  @Test
  void outOfOrderAndRepeatedPhaseCallsAreRefused() {
    SecaggFixture f = new SecaggFixture(SecaggGraph.complete(4), 2, 8, Q, 29);
    SecaggClient c = f.clients.get(0);
    var e1 = assertThrows(IllegalStateException.class, () -> c.maskInput(null, new float[8]));
    assertTrue(e1.getMessage().contains("maskInput called in phase NEW of client 0"));
    var keys = c.advertiseKeys();
    assertThrows(IllegalStateException.class, c::advertiseKeys);
    assertThrows(IllegalStateException.class, f.server::relayShares);
    assertThrows(IllegalStateException.class, f.server::finish);
    f.server.receiveKeys(keys);
    var e2 = assertThrows(IllegalArgumentException.class, () -> f.server.receiveKeys(keys));
    assertTrue(e2.getMessage().contains("arrived twice"));
    f.server.relayKeys();
    assertThrows(IllegalStateException.class, () -> f.server.receiveKeys(keys));
    var notShared = new MaskedInput(f.config.round(), 1, new int[8]);
    assertThrows(IllegalStateException.class, () -> f.server.receiveMaskedInput(notShared));
  }
}
