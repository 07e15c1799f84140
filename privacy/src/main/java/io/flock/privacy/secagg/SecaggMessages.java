package io.flock.privacy.secagg;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The messages of the protocol, in phase order. Clients send to the server; the server relays to
 * clients. All are immutable: arrays are copied in and out, lists are {@link List#copyOf} copies,
 * and records holding arrays compare by content. {@code toString} never shows key material, shares
 * or seeds.
 */
public final class SecaggMessages {

  private SecaggMessages() {}

  /**
   * Phase 1, client to server, relayed to the client's neighbours: the client's fresh X25519 and
   * ML-KEM-768 public keys for this round, signed with its ML-DSA-65 identity over (round, client,
   * both keys).
   */
  public record AdvertisedKeys(
      long round, int client, byte[] x25519Public, byte[] kemPublic, byte[] signature) {
    public AdvertisedKeys {
      x25519Public = copy(x25519Public, "x25519Public");
      kemPublic = copy(kemPublic, "kemPublic");
      signature = copy(signature, "signature");
    }

    @Override
    public byte[] x25519Public() {
      return x25519Public.clone();
    }

    @Override
    public byte[] kemPublic() {
      return kemPublic.clone();
    }

    @Override
    public byte[] signature() {
      return signature.clone();
    }

    /** The bytes the signature covers. */
    byte[] signedBytes() {
      return SecaggCrypto.transcript("advertise", round, client, -1, x25519Public, kemPublic);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof AdvertisedKeys a
          && round == a.round
          && client == a.client
          && Arrays.equals(x25519Public, a.x25519Public)
          && Arrays.equals(kemPublic, a.kemPublic)
          && Arrays.equals(signature, a.signature);
    }

    @Override
    public int hashCode() {
      return Objects.hash(round, client, Arrays.hashCode(x25519Public), Arrays.hashCode(kemPublic));
    }

    @Override
    public String toString() {
      return "AdvertisedKeys[round=" + round + ", client=" + client + "]";
    }
  }

  /** Phase 1, server to one client: the advertised keys of its neighbours that advertised. */
  public record NeighbourKeys(long round, int recipient, List<AdvertisedKeys> keys) {
    public NeighbourKeys {
      keys = list(keys, "keys");
    }
  }

  /**
   * Phase 2, one entry per (sender, recipient): the ML-KEM ciphertext from {@code from} to {@code
   * to}, and {@code from}'s Shamir share of its self-mask seed for {@code to}, AES-256-GCM
   * encrypted under the channel key derived from X25519 and that ciphertext's shared secret.
   */
  public record EncryptedShare(int from, int to, byte[] kemCiphertext, byte[] sealedShare) {
    public EncryptedShare {
      kemCiphertext = copy(kemCiphertext, "kemCiphertext");
      sealedShare = copy(sealedShare, "sealedShare");
    }

    @Override
    public byte[] kemCiphertext() {
      return kemCiphertext.clone();
    }

    @Override
    public byte[] sealedShare() {
      return sealedShare.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof EncryptedShare e
          && from == e.from
          && to == e.to
          && Arrays.equals(kemCiphertext, e.kemCiphertext)
          && Arrays.equals(sealedShare, e.sealedShare);
    }

    @Override
    public int hashCode() {
      return Objects.hash(from, to, Arrays.hashCode(kemCiphertext), Arrays.hashCode(sealedShare));
    }

    @Override
    public String toString() {
      return "EncryptedShare[" + from + " -> " + to + "]";
    }
  }

  /** Phase 2, client to server: one {@link EncryptedShare} per neighbour that advertised keys. */
  public record SharedKeys(long round, int client, List<EncryptedShare> shares) {
    public SharedKeys {
      shares = list(shares, "shares");
    }
  }

  /** Phase 2, server to one client: the shares its neighbours addressed to it. */
  public record IncomingShares(long round, int recipient, List<EncryptedShare> shares) {
    public IncomingShares {
      shares = list(shares, "shares");
    }
  }

  /** Phase 3, client to server: the quantized update plus all masks, mod 2^32. */
  public record MaskedInput(long round, int client, int[] masked) {
    public MaskedInput {
      masked = Objects.requireNonNull(masked, "masked must not be null").clone();
    }

    @Override
    public int[] masked() {
      return masked.clone();
    }

    int length() {
      return masked.length;
    }

    /**
     * The coordinates little-endian, 4 bytes each: the form in which a masked input travels
     * between processes (read from this input directly, no copy of its coordinates first).
     */
    public byte[] toLittleEndian() {
      ByteBuffer bytes =
          ByteBuffer.allocate(Math.multiplyExact(masked.length, Integer.BYTES))
              .order(ByteOrder.LITTLE_ENDIAN);
      bytes.asIntBuffer().put(masked);
      return bytes.array();
    }

    /**
     * The masked input of {@code client} whose coordinates {@link #toLittleEndian} encoded.
     *
     * @throws IllegalArgumentException when the length is not a multiple of 4
     */
    public static MaskedInput fromLittleEndian(long round, int client, byte[] bytes) {
      if (bytes.length % Integer.BYTES != 0) {
        throw new IllegalArgumentException(
            "a masked input has 4 bytes per coordinate, got " + bytes.length + " bytes");
      }
      int[] coordinates = new int[bytes.length / Integer.BYTES];
      ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(coordinates);
      return new MaskedInput(round, client, coordinates);
    }

    /** Adds this input to {@code sum}, mod 2^32, without copying it. */
    void addTo(int[] sum) {
      for (int i = 0; i < sum.length; i++) {
        sum[i] += masked[i];
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof MaskedInput m
          && round == m.round
          && client == m.client
          && Arrays.equals(masked, m.masked);
    }

    @Override
    public int hashCode() {
      return Objects.hash(round, client, Arrays.hashCode(masked));
    }

    @Override
    public String toString() {
      return "MaskedInput[round="
          + round
          + ", client="
          + client
          + ", length="
          + masked.length
          + "]";
    }
  }

  /** Phase 4, server to every survivor: the clients whose masked input arrived (U3), sorted. */
  public record UnmaskRequest(long round, List<Integer> survivors) {
    public UnmaskRequest {
      survivors = list(survivors, "survivors");
    }
  }

  /**
   * One secret a client reveals about neighbour {@code about}: either its share of {@code about}'s
   * self-mask seed or their pairwise mask seed, depending on the list it is in.
   */
  public record Revealed(int about, byte[] secret) {
    public Revealed {
      secret = copy(secret, "secret");
    }

    @Override
    public byte[] secret() {
      return secret.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Revealed r && about == r.about && Arrays.equals(secret, r.secret);
    }

    @Override
    public int hashCode() {
      return 31 * about + Arrays.hashCode(secret);
    }

    @Override
    public String toString() {
      return "Revealed[about=" + about + "]";
    }
  }

  /**
   * Phase 4, client to server: its shares of the self-mask seeds of surviving neighbours, and its
   * pairwise seeds with neighbours that dropped after sharing keys. Never both for one neighbour.
   */
  public record UnmaskResponse(
      long round, int client, List<Revealed> selfMaskShares, List<Revealed> pairwiseSeeds) {
    public UnmaskResponse {
      selfMaskShares = list(selfMaskShares, "selfMaskShares");
      pairwiseSeeds = list(pairwiseSeeds, "pairwiseSeeds");
    }
  }

  /** The outcome, held by the server: the float sum of the survivors' inputs and who they were. */
  public record Result(long round, float[] sum, List<Integer> survivors) {
    public Result {
      sum = Objects.requireNonNull(sum, "sum must not be null").clone();
      survivors = list(survivors, "survivors");
    }

    @Override
    public float[] sum() {
      return sum.clone();
    }

    /** The number of inputs in the sum, m. */
    public int count() {
      return survivors.size();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Result r
          && round == r.round
          && Arrays.equals(sum, r.sum)
          && survivors.equals(r.survivors);
    }

    @Override
    public int hashCode() {
      return Objects.hash(round, Arrays.hashCode(sum), survivors);
    }

    @Override
    public String toString() {
      return "Result[round=" + round + ", length=" + sum.length + ", count=" + count() + "]";
    }
  }

  private static <T> List<T> list(List<T> l, String name) {
    Objects.requireNonNull(l, name + " must not be null");
    for (int i = 0; i < l.size(); i++) {
      Objects.requireNonNull(l.get(i), name + "[" + i + "] is null");
    }
    return List.copyOf(l);
  }

  private static byte[] copy(byte[] b, String name) {
    return Objects.requireNonNull(b, name + " must not be null").clone();
  }
}
