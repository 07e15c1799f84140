package io.flock.actors.round;

import io.flock.actors.protocol.CborSerializable;
import io.flock.privacy.secagg.SecaggGraph;
import io.flock.privacy.secagg.SecaggQuantizer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How rounds securely aggregate their updates (Bonawitz et al. 2017 with the SecAgg+ neighbour
 * graph of Bell et al. 2020, {@code io.flock.privacy.secagg}): the round manager then only ever
 * learns the sum of the surviving sampled nodes' updates, each clipped per coordinate to {@code
 * [-clip, clip]}, and the combined update is their unweighted mean.
 *
 * @param degree k, the neighbours of each node in the graph; 0 = the default for the round's m
 *     sampled nodes ({@link #degreeFor}); a value of at least m - 1 is the complete graph
 * @param threshold t, the shares that recover a node's secrets; 0 = {@code k/2 + 1}; must be in
 *     (k/2, k] for the round's k or the round fails saying so
 * @param clip c, each coordinate of an update is clipped to [-c, c] before quantization, > 0
 * @param phaseTimeout the deadline of each of the four protocol phases, > 0
 * @param identityKeys every node's encoded ML-DSA-65 public key, by node id: the coordinator's
 *     record of who is who (a sampled node without a key fails the round)
 */
public record SecureAggregation(
    int degree, int threshold, double clip, Duration phaseTimeout, Map<String, byte[]> identityKeys)
    implements CborSerializable {

  /** Validates every field; the message names the field and the rule. */
  public SecureAggregation {
    if (degree < 0) {
      throw new IllegalArgumentException("secure-aggregation degree must be >= 0 (0 = default), was " + degree);
    }
    if (threshold < 0) {
      throw new IllegalArgumentException("secure-aggregation threshold must be >= 0 (0 = k/2 + 1), was " + threshold);
    }
    if (!(clip > 0) || Double.isInfinite(clip)) {
      throw new IllegalArgumentException("secure-aggregation clip must be > 0 and finite, was " + clip);
    }
    if (phaseTimeout == null || phaseTimeout.isZero() || phaseTimeout.isNegative()) {
      throw new IllegalArgumentException("secure-aggregation phaseTimeout must be > 0, was " + phaseTimeout);
    }
    if (identityKeys == null) {
      throw new IllegalArgumentException("secure aggregation needs the nodes' identity keys");
    }
    Map<String, byte[]> copy = new TreeMap<>();
    identityKeys.forEach((id, key) -> copy.put(id, key.clone()));
    identityKeys = java.util.Collections.unmodifiableMap(copy);
  }

  /**
   * These settings with {@code keys} as every node's identity key, by node id: in a cluster, the
   * keys the coordinator's admission verified against the allowlist.
   */
  public SecureAggregation withIdentityKeys(Map<String, byte[]> keys) {
    return new SecureAggregation(degree, threshold, clip, phaseTimeout, keys);
  }

  /**
   * The degree used among {@code m} sampled nodes: the given one (capped at m - 1), or by default
   * the complete graph for m <= 16 and otherwise {@code 2 * ceil(log2 m)}, the even degree of order
   * log m that SecAgg+ needs (Bell et al. 2020, Theorem 3.6 takes k = O(log n)).
   */
  public int degreeFor(int m) {
    if (degree > 0) {
      return Math.min(degree, m - 1);
    }
    if (m <= 16) {
      return m - 1;
    }
    int log2 = 64 - Long.numberOfLeadingZeros(m - 1L); // ceil(log2 m)
    return Math.min(2 * log2, SecaggGraph.MAX_DEGREE - 1);
  }

  /** The threshold for degree {@code k}: the given one, or {@code k/2 + 1}. */
  public int thresholdFor(int k) {
    return threshold > 0 ? threshold : k / 2 + 1;
  }

  /**
   * The public parameters of one round among {@code ids} (client i is {@code ids.get(i)}).
   *
   * @param roundSeed the round's seed; the graph's permutation seed derives from it (public)
   * @throws IllegalArgumentException naming what does not fit (too few nodes, a bad degree or
   *     threshold, a node without an identity key)
   */
  public SecaggTask.Setup setupFor(long round, List<String> ids, int vectorLength, long roundSeed) {
    int m = ids.size();
    if (m < 2) {
      throw new IllegalArgumentException(
          "secure aggregation needs at least 2 sampled nodes, the round sampled " + m);
    }
    int k = degreeFor(m);
    List<byte[]> keys = new ArrayList<>();
    for (String id : ids) {
      byte[] key = identityKeys.get(id);
      if (key == null) {
        throw new IllegalArgumentException("node " + id + " has no identity key for secure aggregation");
      }
      keys.add(key);
    }
    SecaggTask.Setup setup = new SecaggTask.Setup(round, m, k, graphSeed(roundSeed), thresholdFor(k), vectorLength,
        clip, SecaggQuantizer.maxBits(m), keys);
    setup.toConfig(); // validates
    return setup;
  }

  /** 32 public bytes for the graph's permutation, from the round's seed. */
  static byte[] graphSeed(long roundSeed) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update("flock-secagg-graph".getBytes(StandardCharsets.US_ASCII));
      return sha.digest(ByteBuffer.allocate(8).putLong(roundSeed).array());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  @Override
  public String toString() {
    return "SecureAggregation[degree=" + degree + ", threshold=" + threshold + ", clip=" + clip
        + ", phaseTimeout=" + phaseTimeout + ", keys=" + identityKeys.size() + "]";
  }
}
