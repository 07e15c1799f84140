package io.flock.privacy.secagg;

import io.flock.privacy.identity.NodeIdentity;
import io.flock.privacy.secagg.SecaggMessages.AdvertisedKeys;
import io.flock.privacy.secagg.SecaggMessages.EncryptedShare;
import io.flock.privacy.secagg.SecaggMessages.IncomingShares;
import io.flock.privacy.secagg.SecaggMessages.MaskedInput;
import io.flock.privacy.secagg.SecaggMessages.NeighbourKeys;
import io.flock.privacy.secagg.SecaggMessages.Revealed;
import io.flock.privacy.secagg.SecaggMessages.SharedKeys;
import io.flock.privacy.secagg.SecaggMessages.UnmaskRequest;
import io.flock.privacy.secagg.SecaggMessages.UnmaskResponse;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.crypto.params.MLKEMPrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;

/**
 * One client's side of a secure-aggregation round, as a state machine: {@link #advertiseKeys},
 * {@link #shareKeys}, {@link #maskInput}, {@link #unmask}, each exactly once and in that order
 * ({@code unmask} may be repeated with the same survivors). A message for another round or
 * recipient, or one that fails a check, is refused with an {@link IllegalArgumentException} and
 * leaves the state as it was; a call out of order, or a request that would break the protocol's
 * privacy, is refused with an {@link IllegalStateException}. Not thread-safe.
 */
public final class SecaggClient {

  private enum Phase {
    NEW,
    ADVERTISED,
    SHARED,
    MASKED
  }

  private final SecaggConfig config;
  private final int id;
  private final NodeIdentity identity;
  private final SecureRandom random;
  private Phase phase = Phase.NEW;

  private X25519PrivateKeyParameters dhPrivate;
  private byte[] dhPublic;
  private MLKEMPrivateKeyParameters kemPrivate;
  private byte[] kemPublic;
  private byte[] selfSeed; // b_u, wiped once the input is masked

  private final Map<Integer, AdvertisedKeys> peers = new TreeMap<>(); // neighbours that advertised
  private final Map<Integer, byte[]> dh = new TreeMap<>(); // X25519 secret with each peer
  private final Map<Integer, byte[]> sentCiphertexts = new TreeMap<>(); // ct_{id->v}
  private final Map<Integer, byte[]> sentSecrets = new TreeMap<>(); // ss_{id->v}
  private final Map<Integer, byte[]> heldShares = new TreeMap<>(); // share of b_v, per partner v
  private final Map<Integer, byte[]> pairSeeds = new TreeMap<>(); // s_{id,v}, per partner v
  private final Map<Integer, Boolean> revealedSeedOf = new TreeMap<>(); // true: s revealed

  private SecaggClient(SecaggConfig config, int id, NodeIdentity identity, SecureRandom random) {
    this.config = Objects.requireNonNull(config, "config must not be null");
    this.id = config.graph().check(id);
    this.identity = Objects.requireNonNull(identity, "identity must not be null");
    this.random = Objects.requireNonNull(random, "random must not be null");
    if (!Arrays.equals(identity.publicKey(), config.identityKey(id))) {
      throw new IllegalArgumentException(
          "identity " + identity.fingerprint() + " is not client " + id + "'s key in the config");
    }
  }

  /**
   * A client with id {@code id}, signing with {@code identity}, drawing keys from {@code random}.
   */
  public static SecaggClient create(
      SecaggConfig config, int id, NodeIdentity identity, SecureRandom random) {
    return new SecaggClient(config, id, identity, random);
  }

  public int id() {
    return id;
  }

  /** Phase 1: fresh X25519 and ML-KEM-768 key pairs for this round, signed. */
  public AdvertisedKeys advertiseKeys() {
    expect(Phase.NEW, "advertiseKeys");
    AsymmetricCipherKeyPair x = SecaggCrypto.x25519KeyPair(random);
    AsymmetricCipherKeyPair k = SecaggCrypto.kemKeyPair(random);
    dhPrivate = (X25519PrivateKeyParameters) x.getPrivate();
    dhPublic = dhPrivate.generatePublicKey().getEncoded();
    kemPrivate = (MLKEMPrivateKeyParameters) k.getPrivate();
    kemPublic = kemPrivate.getPublicKey();
    byte[] signed =
        SecaggCrypto.transcript("advertise", config.round(), id, -1, dhPublic, kemPublic);
    phase = Phase.ADVERTISED;
    return new AdvertisedKeys(config.round(), id, dhPublic, kemPublic, identity.sign(signed));
  }

  /**
   * Phase 2: checks the neighbours' signed keys, Shamir-splits a fresh self-mask seed (threshold t
   * over all k neighbours) and sends each neighbour that advertised an ML-KEM ciphertext and its
   * share, encrypted under the hybrid channel key.
   *
   * @throws IllegalStateException if fewer than t neighbours advertised keys
   */
  public SharedKeys shareKeys(NeighbourKeys keys) {
    Objects.requireNonNull(keys, "NeighbourKeys must not be null");
    expect(Phase.ADVERTISED, "shareKeys");
    config.checkRound(keys.round(), "NeighbourKeys");
    checkRecipient(keys.recipient(), "NeighbourKeys");
    Map<Integer, AdvertisedKeys> checked = new TreeMap<>();
    for (AdvertisedKeys a : keys.keys()) {
      SecaggValidation.advertisedKeys(config, a);
      if (!config.graph().areNeighbours(id, a.client())) {
        throw new IllegalArgumentException(
            "NeighbourKeys holds keys of client " + a.client() + ", not a neighbour of " + id);
      }
      if (checked.put(a.client(), a) != null) {
        throw new IllegalArgumentException("NeighbourKeys holds client " + a.client() + " twice");
      }
    }
    requireThreshold(checked.size(), "neighbours advertised keys");
    int[] neighbours = config.graph().neighbours(id);
    byte[] seed = new byte[SecaggCrypto.SEED_BYTES];
    random.nextBytes(seed);
    byte[][] shares = SecaggCrypto.split(seed, config.threshold(), neighbours.length, random);
    List<EncryptedShare> out = new ArrayList<>();
    for (AdvertisedKeys peer : checked.values()) {
      int v = peer.client();
      byte[] secret = SecaggCrypto.x25519(dhPrivate, peer.x25519Public());
      SecretWithEncapsulation enc = SecaggCrypto.encapsulate(peer.kemPublic(), random);
      byte[] ct = enc.getEncapsulation();
      byte[] channel = channelKey(id, v, secret, enc.getSecret(), ct, peer);
      byte[] share = shares[config.graph().shareIndex(id, v) - 1];
      byte[] sealed = SecaggCrypto.seal(channel, shareAad(id, v), share);
      peers.put(v, peer);
      dh.put(v, secret);
      sentCiphertexts.put(v, ct);
      sentSecrets.put(v, enc.getSecret());
      out.add(new EncryptedShare(id, v, ct, sealed));
    }
    selfSeed = seed;
    phase = Phase.SHARED;
    return new SharedKeys(config.round(), id, out);
  }

  /**
   * Phase 3: decrypts the neighbours' shares (failing on any that does not authenticate), derives a
   * pairwise seed with each of them, and returns the quantized update plus the self mask and the
   * pairwise masks ({@code +} towards larger ids, {@code -} towards smaller), mod 2^32.
   *
   * @throws IllegalArgumentException for a wrong length, a NaN or infinite value, or a share that
   *     fails authentication
   * @throws IllegalStateException if fewer than t neighbours' shares arrived
   */
  public MaskedInput maskInput(IncomingShares incoming, float[] update) {
    expect(Phase.SHARED, "maskInput");
    Objects.requireNonNull(update, "update must not be null");
    if (update.length != config.vectorLength()) {
      throw new IllegalArgumentException(
          "update must have length " + config.vectorLength() + ", had " + update.length);
    }
    return mask(incoming, config.quantizer().quantize(update, random)); // rejects NaN, infinities
  }

  /** {@link #maskInput} for an already quantized input (values in [0, 2^b - 1]); for tests. */
  MaskedInput maskQuantized(IncomingShares incoming, int[] quantized) {
    expect(Phase.SHARED, "maskInput");
    if (quantized.length != config.vectorLength()) {
      throw new IllegalArgumentException(
          "input must have length " + config.vectorLength() + ", had " + quantized.length);
    }
    long levels = (1L << config.quantizer().bits()) - 1;
    for (int i = 0; i < quantized.length; i++) {
      if ((quantized[i] & 0xFFFFFFFFL) > levels) {
        throw new IllegalArgumentException(
            "input[" + i + "] must be in [0, " + levels + "], was " + (quantized[i] & 0xFFFFFFFFL));
      }
    }
    return mask(incoming, quantized.clone());
  }

  private MaskedInput mask(IncomingShares incoming, int[] y) {
    Objects.requireNonNull(incoming, "IncomingShares must not be null");
    config.checkRound(incoming.round(), "IncomingShares");
    checkRecipient(incoming.recipient(), "IncomingShares");
    Map<Integer, byte[]> shares = new TreeMap<>();
    Map<Integer, byte[]> seeds = new TreeMap<>();
    for (EncryptedShare e : incoming.shares()) {
      int v = e.from();
      AdvertisedKeys peer = peers.get(v);
      if (e.to() != id || peer == null) {
        throw new IllegalArgumentException(
            "IncomingShares holds a share from "
                + v
                + " to "
                + e.to()
                + "; client "
                + id
                + " only takes shares addressed to it by neighbours it keyed");
      }
      if (shares.containsKey(v)) {
        throw new IllegalArgumentException("IncomingShares holds two shares from client " + v);
      }
      SecaggValidation.encryptedShare(e);
      byte[] ct = e.kemCiphertext();
      byte[] ss = SecaggCrypto.decapsulate(kemPrivate, ct);
      byte[] channel = channelKey(v, id, dh.get(v), ss, ct, peer);
      try {
        shares.put(v, SecaggCrypto.open(channel, shareAad(v, id), e.sealedShare()));
      } catch (InvalidCipherTextException ex) {
        throw new IllegalArgumentException(
            "the share from client "
                + v
                + " to client "
                + id
                + " failed AES-GCM authentication: its ciphertext or KEM ciphertext was altered",
            ex);
      }
      boolean mine = id < v; // the smaller id's encapsulation seeds the pair's mask
      seeds.put(v, pairSeed(v, mine ? sentSecrets.get(v) : ss, mine ? sentCiphertexts.get(v) : ct));
    }
    requireThreshold(shares.size(), "neighbours' shares arrived");
    SecaggCrypto.addSelfMask(y, selfSeed, +1);
    for (Map.Entry<Integer, byte[]> s : seeds.entrySet()) {
      SecaggCrypto.addPairMask(y, s.getValue(), s.getKey() > id ? +1 : -1);
    }
    heldShares.putAll(shares);
    pairSeeds.putAll(seeds);
    Arrays.fill(selfSeed, (byte) 0);
    selfSeed = null;
    sentSecrets.values().forEach(b -> Arrays.fill(b, (byte) 0));
    sentSecrets.clear();
    phase = Phase.MASKED;
    return new MaskedInput(config.round(), id, y);
  }

  /**
   * Phase 4: for each neighbour it masked with, reveals its share of that neighbour's self-mask
   * seed if the neighbour is among the survivors, or their pairwise seed if not. Repeating the
   * request is allowed only when it asks for the same kind of secret about every neighbour.
   *
   * @throws IllegalStateException if this client is not a survivor, there are fewer than t
   *     survivors or fewer than t of the neighbours it masked with, or the request would reveal
   *     both secrets about one neighbour
   */
  public UnmaskResponse unmask(UnmaskRequest request) {
    Objects.requireNonNull(request, "UnmaskRequest must not be null");
    expect(Phase.MASKED, "unmask");
    config.checkRound(request.round(), "UnmaskRequest");
    Set<Integer> survivors = SecaggValidation.survivors(config, request.survivors());
    if (!survivors.contains(id)) {
      throw new IllegalStateException(
          "client "
              + id
              + " is not among the survivors "
              + request.survivors()
              + " but its masked input was sent; refusing to unmask");
    }
    if (survivors.size() < config.threshold()) {
      throw new IllegalStateException(
          "only "
              + survivors.size()
              + " survivors, threshold is "
              + config.threshold()
              + "; refusing to unmask so few inputs");
    }
    // s_uv exposes u's mask as much as v's: u must not hand the server its seeds with so many
    // neighbours that t others, told "u survived", could give it b_u too. Requiring t named
    // survivors among the neighbours u masked with caps u's revealed seeds at k - t, and with
    // t > k/2 the neighbours told "u survived" and not covered by them number fewer than t.
    long survivingNeighbours = heldShares.keySet().stream().filter(survivors::contains).count();
    if (survivingNeighbours < config.threshold()) {
      throw new IllegalStateException(
          "only "
              + survivingNeighbours
              + " of the "
              + heldShares.size()
              + " neighbours client "
              + id
              + " masked with are among the survivors "
              + request.survivors()
              + ", threshold is "
              + config.threshold()
              + "; revealing its pairwise seeds with the others would let the server strip its"
              + " masks, so this request is refused");
    }
    for (int v : heldShares.keySet()) {
      Boolean before = revealedSeedOf.get(v);
      boolean seed = !survivors.contains(v);
      if (before != null && before != seed) {
        throw new IllegalStateException(
            "client "
                + id
                + " already revealed its "
                + (before ? "pairwise seed with" : "share of the self-mask seed of")
                + " client "
                + v
                + "; revealing the other too would expose client "
                + v
                + "'s input, so this request (survivors "
                + request.survivors()
                + ") is refused");
      }
    }
    List<Revealed> shares = new ArrayList<>();
    List<Revealed> seeds = new ArrayList<>();
    for (int v : heldShares.keySet()) {
      boolean seed = !survivors.contains(v);
      revealedSeedOf.put(v, seed);
      if (seed) {
        seeds.add(new Revealed(v, pairSeeds.get(v)));
      } else {
        shares.add(new Revealed(v, heldShares.get(v)));
      }
    }
    return new UnmaskResponse(config.round(), id, shares, seeds);
  }

  private byte[] channelKey(
      int from, int to, byte[] dhSecret, byte[] kemSecret, byte[] ct, AdvertisedKeys peer) {
    boolean fromMe = from == id;
    byte[] fromDh = fromMe ? dhPublic : peer.x25519Public();
    byte[] toDh = fromMe ? peer.x25519Public() : dhPublic;
    byte[] fromKem = fromMe ? kemPublic : peer.kemPublic();
    byte[] toKem = fromMe ? peer.kemPublic() : kemPublic;
    byte[] info =
        SecaggCrypto.transcript(
            "channel", config.round(), from, to, fromDh, toDh, fromKem, toKem, ct);
    return SecaggCrypto.hkdf(SecaggCrypto.concat(dhSecret, kemSecret), info);
  }

  // s_uv from the X25519 secret and the KEM secret of the smaller id's encapsulation.
  private byte[] pairSeed(int v, byte[] kemSecret, byte[] ct) {
    AdvertisedKeys peer = peers.get(v);
    boolean low = id < v;
    byte[] info =
        SecaggCrypto.transcript(
            "mask",
            config.round(),
            Math.min(id, v),
            Math.max(id, v),
            low ? dhPublic : peer.x25519Public(),
            low ? peer.x25519Public() : dhPublic,
            low ? kemPublic : peer.kemPublic(),
            low ? peer.kemPublic() : kemPublic,
            ct);
    return SecaggCrypto.hkdf(SecaggCrypto.concat(dh.get(v), kemSecret), info);
  }

  private byte[] shareAad(int from, int to) {
    return SecaggCrypto.transcript("share", config.round(), from, to);
  }

  private void requireThreshold(int count, String what) {
    if (count < config.threshold()) {
      throw new IllegalStateException(
          "only "
              + count
              + " of client "
              + id
              + "'s "
              + config.graph().degree()
              + " "
              + what
              + ", threshold is "
              + config.threshold()
              + ": its self mask could not be removed");
    }
  }

  private void checkRecipient(int recipient, String what) {
    if (recipient != id) {
      throw new IllegalArgumentException(what + " is for client " + recipient + ", this is " + id);
    }
  }

  private void expect(Phase expected, String call) {
    if (phase != expected) {
      throw new IllegalStateException(
          call + " called in phase " + phase + " of client " + id + "; it needs phase " + expected);
    }
  }

  @Override
  public String toString() {
    return "SecaggClient[id=" + id + ", round=" + config.round() + ", phase=" + phase + "]";
  }
}
