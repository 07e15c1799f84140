package io.flock.privacy.secagg;

import io.flock.privacy.secagg.SecaggMessages.AdvertisedKeys;
import io.flock.privacy.secagg.SecaggMessages.EncryptedShare;
import io.flock.privacy.secagg.SecaggMessages.IncomingShares;
import io.flock.privacy.secagg.SecaggMessages.MaskedInput;
import io.flock.privacy.secagg.SecaggMessages.NeighbourKeys;
import io.flock.privacy.secagg.SecaggMessages.Result;
import io.flock.privacy.secagg.SecaggMessages.Revealed;
import io.flock.privacy.secagg.SecaggMessages.SharedKeys;
import io.flock.privacy.secagg.SecaggMessages.UnmaskRequest;
import io.flock.privacy.secagg.SecaggMessages.UnmaskResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The server's side of a secure-aggregation round, as a state machine. In each phase it takes the
 * clients' messages one by one ({@code receiveXxx}, refusing a malformed, duplicate or stale one
 * with an {@link IllegalArgumentException}), and a closing call ({@link #relayKeys}, {@link
 * #relayShares}, {@link #requestUnmask}, {@link #finish}) ends the phase with whoever has answered:
 * a client that did not answer in time has dropped out. Calls out of order are refused with an
 * {@link IllegalStateException}. Honest but curious: it follows the protocol and sees only masked
 * inputs, the shares and seeds it needs to remove masks, and the sum. Not thread-safe.
 */
public final class SecaggServer {

  private enum Phase {
    KEYS,
    SHARES,
    INPUTS,
    UNMASK,
    DONE
  }

  private final SecaggConfig config;
  private final SecaggGraph graph;
  private Phase phase = Phase.KEYS;
  private final Map<Integer, AdvertisedKeys> advertised = new TreeMap<>(); // U1
  private final Map<Integer, SharedKeys> shared = new TreeMap<>(); // U2
  // U3, and the sum of their masked inputs mod 2^32, folded as they arrive (O(model), not m x)
  private final Set<Integer> inputs = new TreeSet<>();
  private int[] sum;
  private final Map<Integer, UnmaskResponse> responses = new TreeMap<>();

  private SecaggServer(SecaggConfig config) {
    this.config = Objects.requireNonNull(config, "config must not be null");
    this.graph = config.graph();
  }

  public static SecaggServer create(SecaggConfig config) {
    return new SecaggServer(config);
  }

  /** Phase 1: takes one client's advertised keys after checking its signature. */
  public void receiveKeys(AdvertisedKeys keys) {
    Objects.requireNonNull(keys, "AdvertisedKeys must not be null");
    expect(Phase.KEYS, "receiveKeys");
    SecaggValidation.advertisedKeys(config, keys);
    unique(advertised.containsKey(keys.client()), "AdvertisedKeys", keys.client());
    advertised.put(keys.client(), keys);
  }

  /** Ends phase 1: for each client that advertised, its advertising neighbours' keys. */
  public Map<Integer, NeighbourKeys> relayKeys() {
    expect(Phase.KEYS, "relayKeys");
    Map<Integer, NeighbourKeys> out = new TreeMap<>();
    for (int u : advertised.keySet()) {
      List<AdvertisedKeys> keys = new ArrayList<>();
      for (int v : graph.neighbours(u)) {
        if (advertised.containsKey(v)) {
          keys.add(advertised.get(v));
        }
      }
      out.put(u, new NeighbourKeys(config.round(), u, keys));
    }
    phase = Phase.SHARES;
    return out;
  }

  /** Phase 2: takes one client's encrypted shares, one per neighbour that advertised keys. */
  public void receiveShares(SharedKeys keys) {
    Objects.requireNonNull(keys, "SharedKeys must not be null");
    expect(Phase.SHARES, "receiveShares");
    config.checkRound(keys.round(), "SharedKeys of client " + keys.client());
    int u = keys.client();
    member(advertised.containsKey(u), "SharedKeys", u, "advertised keys");
    unique(shared.containsKey(u), "SharedKeys", u);
    Set<Integer> to = new HashSet<>();
    for (EncryptedShare e : keys.shares()) {
      SecaggValidation.encryptedShare(e);
      if (e.from() != u || !graph.areNeighbours(u, e.to()) || !advertised.containsKey(e.to())) {
        throw new IllegalArgumentException(
            "SharedKeys of client "
                + u
                + " holds a share from "
                + e.from()
                + " to "
                + e.to()
                + "; every share must go from "
                + u
                + " to a neighbour that advertised keys");
      }
      if (!to.add(e.to())) {
        throw new IllegalArgumentException(
            "SharedKeys of client " + u + " holds two shares for client " + e.to());
      }
    }
    // Each pair must mask both ways or neither: v masks with u exactly when u's share reaches v.
    for (int v : graph.neighbours(u)) {
      if (advertised.containsKey(v) && !to.contains(v)) {
        throw new IllegalArgumentException(
            "SharedKeys of client "
                + u
                + " holds no share for client "
                + v
                + ", a neighbour that advertised keys; it must hold one for each");
      }
    }
    if (to.size() < config.threshold()) {
      throw new IllegalArgumentException(
          "SharedKeys of client "
              + u
              + " holds "
              + to.size()
              + " shares, threshold is "
              + config.threshold());
    }
    shared.put(u, keys);
  }

  /** Ends phase 2: for each client that shared, the shares addressed to it by clients that did. */
  public Map<Integer, IncomingShares> relayShares() {
    expect(Phase.SHARES, "relayShares");
    Map<Integer, List<EncryptedShare>> byRecipient = new TreeMap<>();
    shared.keySet().forEach(v -> byRecipient.put(v, new ArrayList<>()));
    for (SharedKeys s : shared.values()) {
      for (EncryptedShare e : s.shares()) {
        if (byRecipient.containsKey(e.to())) {
          byRecipient.get(e.to()).add(e);
        }
      }
    }
    Map<Integer, IncomingShares> out = new TreeMap<>();
    byRecipient.forEach((v, list) -> out.put(v, new IncomingShares(config.round(), v, list)));
    phase = Phase.INPUTS;
    return out;
  }

  /** Phase 3: takes one client's masked input. */
  public void receiveMaskedInput(MaskedInput input) {
    Objects.requireNonNull(input, "MaskedInput must not be null");
    expect(Phase.INPUTS, "receiveMaskedInput");
    config.checkRound(input.round(), "MaskedInput of client " + input.client());
    member(shared.containsKey(input.client()), "MaskedInput", input.client(), "shared keys");
    unique(inputs.contains(input.client()), "MaskedInput", input.client());
    if (input.length() != config.vectorLength()) {
      throw new IllegalArgumentException(
          "MaskedInput of client "
              + input.client()
              + " must have length "
              + config.vectorLength()
              + ", had "
              + input.length());
    }
    if (sum == null) {
      sum = new int[config.vectorLength()];
    }
    input.addTo(sum);
    inputs.add(input.client());
  }

  /**
   * Ends phase 3: names the survivors, U3, whose masked inputs arrived.
   *
   * @throws IllegalStateException if fewer than t inputs arrived
   */
  public UnmaskRequest requestUnmask() {
    expect(Phase.INPUTS, "requestUnmask");
    if (inputs.size() < config.threshold()) {
      throw new IllegalStateException(
          "only "
              + inputs.size()
              + " masked inputs arrived, threshold is "
              + config.threshold()
              + ": the round cannot be unmasked");
    }
    phase = Phase.UNMASK;
    return new UnmaskRequest(config.round(), List.copyOf(inputs));
  }

  /** Phase 4: takes one survivor's revealed shares and seeds. */
  public void receiveUnmask(UnmaskResponse response) {
    Objects.requireNonNull(response, "UnmaskResponse must not be null");
    expect(Phase.UNMASK, "receiveUnmask");
    int u = response.client();
    config.checkRound(response.round(), "UnmaskResponse of client " + u);
    member(inputs.contains(u), "UnmaskResponse", u, "sent a masked input");
    unique(responses.containsKey(u), "UnmaskResponse", u);
    Set<Integer> about = new HashSet<>();
    for (Revealed r : response.selfMaskShares()) {
      checkRevealed(u, r, about, inputs.contains(r.about()), "a share of the self-mask seed");
    }
    for (Revealed r : response.pairwiseSeeds()) {
      boolean dropped = shared.containsKey(r.about()) && !inputs.contains(r.about());
      checkRevealed(u, r, about, dropped, "a pairwise seed");
    }
    responses.put(u, response);
  }

  private void checkRevealed(int u, Revealed r, Set<Integer> about, boolean allowed, String what) {
    SecaggValidation.revealed(r, u);
    if (!graph.areNeighbours(u, r.about()) || !allowed || !about.add(r.about())) {
      throw new IllegalArgumentException(
          "UnmaskResponse of client "
              + u
              + " reveals "
              + what
              + " about client "
              + r.about()
              + ", which it must not: shares only about surviving neighbours, seeds only about"
              + " neighbours that dropped after sharing keys, at most one secret per neighbour");
    }
  }

  /**
   * Ends the round: removes every survivor's self mask (its seed rebuilt from t shares) and the
   * pairwise masks that dropped clients left unmatched, and dequantizes the sum.
   *
   * @throws IllegalStateException naming the client whose mask cannot be removed, and why
   */
  public Result finish() {
    expect(Phase.UNMASK, "finish");
    Map<Integer, List<HeldShare>> sharesOf = new TreeMap<>(); // per survivor
    for (UnmaskResponse r : responses.values()) {
      for (Revealed s : r.selfMaskShares()) {
        sharesOf
            .computeIfAbsent(s.about(), k -> new ArrayList<>())
            .add(new HeldShare(r.client(), s.secret()));
      }
    }
    int t = config.threshold();
    List<byte[]> selfSeeds = new ArrayList<>();
    for (int u : inputs) {
      List<HeldShare> got = sharesOf.getOrDefault(u, List.of());
      if (got.size() < t) {
        throw new IllegalStateException(
            "cannot remove the self mask of client "
                + u
                + ": "
                + got.size()
                + " shares of its seed arrived, threshold is "
                + t);
      }
      int[] xs = new int[t];
      byte[][] ys = new byte[t][];
      for (int i = 0; i < t; i++) {
        xs[i] = graph.shareIndex(u, got.get(i).holder());
        ys[i] = got.get(i).share();
      }
      selfSeeds.add(SecaggCrypto.combine(xs, ys));
    }
    List<int[]> pairs = new ArrayList<>(); // [survivor, dropped]
    List<byte[]> pairSeeds = new ArrayList<>();
    for (int d : shared.keySet()) {
      if (inputs.contains(d)) {
        continue;
      }
      for (int v : graph.neighbours(d)) {
        if (!inputs.contains(v)) {
          continue;
        }
        byte[] seed = revealedSeed(v, d);
        if (seed == null) {
          throw new IllegalStateException(
              "cannot remove the pairwise mask between surviving client "
                  + v
                  + " and dropped client "
                  + d
                  + ": "
                  + v
                  + " did not reveal their seed"
                  + (responses.containsKey(v) ? "" : " (it did not answer the unmask request)"));
        }
        pairs.add(new int[] {v, d});
        pairSeeds.add(seed);
      }
    }
    selfSeeds.forEach(b -> SecaggCrypto.addSelfMask(sum, b, -1));
    for (int i = 0; i < pairs.size(); i++) {
      int v = pairs.get(i)[0];
      int d = pairs.get(i)[1];
      SecaggCrypto.addPairMask(sum, pairSeeds.get(i), d > v ? -1 : +1); // undo v's sign
    }
    phase = Phase.DONE;
    List<Integer> survivors = List.copyOf(inputs);
    return new Result(
        config.round(), config.quantizer().dequantize(sum, survivors.size()), survivors);
  }

  // A revealed share of a survivor's self-mask seed and the neighbour that held it.
  private record HeldShare(int holder, byte[] share) {}

  private byte[] revealedSeed(int v, int d) {
    UnmaskResponse r = responses.get(v);
    if (r == null) {
      return null;
    }
    for (Revealed s : r.pairwiseSeeds()) {
      if (s.about() == d) {
        return s.secret();
      }
    }
    return null;
  }

  private static void unique(boolean seen, String what, int client) {
    if (seen) {
      throw new IllegalArgumentException(what + " of client " + client + " arrived twice");
    }
  }

  private void member(boolean ok, String what, int client, String earlier) {
    config.graph().check(client);
    if (!ok) {
      throw new IllegalArgumentException(
          what + " of client " + client + " refused: it has not " + earlier + " in this round");
    }
  }

  private void expect(Phase expected, String call) {
    if (phase != expected) {
      throw new IllegalStateException(
          call + " called in phase " + phase + " of the server; it needs phase " + expected);
    }
  }

  @Override
  public String toString() {
    return "SecaggServer[round=" + config.round() + ", phase=" + phase + "]";
  }
}
