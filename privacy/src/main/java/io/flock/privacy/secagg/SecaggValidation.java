package io.flock.privacy.secagg;

import io.flock.privacy.identity.NodeIdentity;
import io.flock.privacy.secagg.SecaggMessages.AdvertisedKeys;
import io.flock.privacy.secagg.SecaggMessages.EncryptedShare;
import io.flock.privacy.secagg.SecaggMessages.Revealed;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Checks shared by client and server, each failing with a message naming what was wrong. */
final class SecaggValidation {

  private SecaggValidation() {}

  /**
   * Round, id, key lengths, usable keys (X25519 not of small order, ML-KEM past the modulus check)
   * and the ML-DSA-65 signature under the client's identity key.
   */
  static void advertisedKeys(SecaggConfig config, AdvertisedKeys a) {
    config.checkRound(a.round(), "AdvertisedKeys of client " + a.client());
    config.graph().check(a.client());
    length(a.x25519Public(), SecaggCrypto.X25519_PUBLIC_BYTES, "X25519 key", a.client());
    length(a.kemPublic(), SecaggCrypto.KEM_PUBLIC_BYTES, "ML-KEM-768 key", a.client());
    // Refused here, before the server relays them, so no neighbour fails on them in ShareKeys.
    if (SecaggCrypto.isLowOrderX25519(a.x25519Public())) {
      throw new IllegalArgumentException(
          "the X25519 key of client "
              + a.client()
              + " is a point of small order: every X25519 secret with it would be zero");
    }
    if (!SecaggCrypto.isValidKemPublicKey(a.kemPublic())) {
      throw new IllegalArgumentException(
          "the ML-KEM-768 key of client "
              + a.client()
              + " fails the FIPS 203 modulus check (a coefficient is not below q)");
    }
    if (!NodeIdentity.verify(config.identityKey(a.client()), a.signedBytes(), a.signature())) {
      throw new IllegalArgumentException(
          "the advertised keys of client "
              + a.client()
              + " carry no valid ML-DSA-65 signature under its identity key");
    }
  }

  static void encryptedShare(EncryptedShare e) {
    length(e.kemCiphertext(), SecaggCrypto.KEM_CIPHERTEXT_BYTES, "ML-KEM-768 ciphertext", e.from());
    length(e.sealedShare(), SecaggCrypto.SEALED_SHARE_BYTES, "encrypted share", e.from());
  }

  static void revealed(Revealed r, int client) {
    length(r.secret(), SecaggCrypto.SEED_BYTES, "revealed secret about " + r.about(), client);
  }

  /** The survivor list as a set: ids in range, strictly increasing. */
  static Set<Integer> survivors(SecaggConfig config, List<Integer> survivors) {
    Set<Integer> set = new LinkedHashSet<>();
    int last = -1;
    for (int s : survivors) {
      config.graph().check(s);
      if (s <= last) {
        throw new IllegalArgumentException(
            "survivors must be strictly increasing client ids, got " + survivors);
      }
      set.add(s);
      last = s;
    }
    return set;
  }

  private static void length(byte[] b, int expected, String what, int client) {
    if (b.length != expected) {
      throw new IllegalArgumentException(
          "the "
              + what
              + " of client "
              + client
              + " must have "
              + expected
              + " bytes, had "
              + b.length);
    }
  }
}
