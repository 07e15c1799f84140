package io.flock.privacy.secagg;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The public parameters of one secure-aggregation round, known to the server and every client
 * before it starts: the round id (bound into every key derivation, associated data and signature),
 * the neighbour graph, the threshold, the vector length, the quantizer, and each client's long-term
 * ML-DSA-65 identity key ({@link io.flock.privacy.identity.NodeIdentity#publicKey}).
 *
 * <p>The threshold t is the number of a client's neighbours that must reveal their shares of its
 * self-mask seed to remove its self mask. It must exceed {@code k/2}: then two disjoint groups of
 * neighbours cannot both reach it, which is what the SecAgg+ analysis assumes (Bell et al. 2020)
 * and what keeps a server that names different survivors to different clients from removing every
 * mask of one client (see the package documentation); smaller thresholds are refused.
 */
public final class SecaggConfig {

  private final long round;
  private final SecaggGraph graph;
  private final int threshold;
  private final int vectorLength;
  private final SecaggQuantizer quantizer;
  private final List<byte[]> identityKeys;

  /**
   * @throws IllegalArgumentException unless {@code k/2 < threshold <= k}, {@code vectorLength >= 1},
   *     the quantizer cannot overflow for {@code n} clients, and there is one identity key per
   *     client
   */
  public SecaggConfig(
      long round,
      SecaggGraph graph,
      int threshold,
      int vectorLength,
      SecaggQuantizer quantizer,
      List<byte[]> identityKeys) {
    this.round = round;
    this.graph = Objects.requireNonNull(graph, "graph must not be null");
    int k = graph.degree();
    if (threshold <= k / 2 || threshold > k) {
      throw new IllegalArgumentException("threshold t must be in (k/2, k] = [" + (k / 2 + 1) + ", " + k
          + "], was " + threshold + ": with t <= k/2 a server naming different survivors to different"
          + " neighbours could remove every mask of one client");
    }
    if (vectorLength < 1) {
      throw new IllegalArgumentException("vectorLength must be >= 1, was " + vectorLength);
    }
    this.threshold = threshold;
    this.vectorLength = vectorLength;
    this.quantizer = Objects.requireNonNull(quantizer, "quantizer must not be null");
    quantizer.checkClients(graph.size());
    Objects.requireNonNull(identityKeys, "identityKeys must not be null");
    if (identityKeys.size() != graph.size()) {
      throw new IllegalArgumentException(
          "identityKeys must hold one key per client ("
              + graph.size()
              + "), held "
              + identityKeys.size());
    }
    List<byte[]> keys = new ArrayList<>(identityKeys.size());
    for (int i = 0; i < identityKeys.size(); i++) {
      keys.add(
          Objects.requireNonNull(identityKeys.get(i), "identityKeys[" + i + "] is null").clone());
    }
    this.identityKeys = List.copyOf(keys);
  }

  public long round() {
    return round;
  }

  public SecaggGraph graph() {
    return graph;
  }

  /** The number of clients, n. */
  public int clients() {
    return graph.size();
  }

  public int threshold() {
    return threshold;
  }

  public int vectorLength() {
    return vectorLength;
  }

  public SecaggQuantizer quantizer() {
    return quantizer;
  }

  /** The encoded ML-DSA-65 public key of {@code client} (a copy). */
  public byte[] identityKey(int client) {
    return identityKeys.get(graph.check(client)).clone();
  }

  void checkRound(long messageRound, String what) {
    if (messageRound != round) {
      throw new IllegalArgumentException(
          what + " is for round " + messageRound + ", this is round " + round);
    }
  }

  @Override
  public String toString() {
    return "SecaggConfig[round="
        + round
        + ", "
        + graph
        + ", t="
        + threshold
        + ", length="
        + vectorLength
        + ", "
        + quantizer
        + "]";
  }
}
