package io.flock.actors.round;

import io.flock.actors.protocol.CborSerializable;
import io.flock.privacy.secagg.SecaggConfig;
import io.flock.privacy.secagg.SecaggGraph;
import io.flock.privacy.secagg.SecaggQuantizer;
import java.util.Arrays;
import java.util.List;

/**
 * A node's part in a securely aggregated round, sent with its train request: it is client {@code
 * client} of the round's public {@link Setup}. The node keeps its update and masks it; it never
 * sends it in clear.
 */
public record SecaggTask(int client, Setup setup) implements CborSerializable {

  /**
   * The public parameters of one round's secure aggregation, from which the coordinator and every
   * node build the same {@link SecaggConfig}.
   *
   * @param round the round (bound into every signature and key derivation)
   * @param clients m, the sampled nodes; client i is the i-th of them
   * @param degree k; {@code m - 1} is the complete graph
   * @param graphSeed 32 public bytes that permute the Harary graph's ring
   * @param threshold t, in (k/2, k]
   * @param vectorLength the model's parameter count
   * @param clip c of the quantizer
   * @param bits b of the quantizer
   * @param identityKeys client i's encoded ML-DSA-65 public key at index i
   */
  public record Setup(long round, int clients, int degree, byte[] graphSeed, int threshold, int vectorLength,
      double clip, int bits, List<byte[]> identityKeys) implements CborSerializable {

    /** Copies the arrays in. */
    public Setup {
      graphSeed = graphSeed == null ? null : graphSeed.clone();
      identityKeys = identityKeys == null ? null : identityKeys.stream().map(byte[]::clone).toList();
    }

    @Override
    public byte[] graphSeed() {
      return graphSeed == null ? null : graphSeed.clone();
    }

    /**
     * The protocol's configuration.
     *
     * @throws IllegalArgumentException when the parameters do not make a valid one
     */
    public SecaggConfig toConfig() {
      if (graphSeed == null || identityKeys == null) {
        throw new IllegalArgumentException("a secure-aggregation setup needs a graph seed and identity keys");
      }
      SecaggGraph graph = SecaggGraph.of(clients, degree, graphSeed);
      return new SecaggConfig(round, graph, threshold, vectorLength, new SecaggQuantizer(clip, bits), identityKeys);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Setup s && round == s.round && clients == s.clients && degree == s.degree
          && Arrays.equals(graphSeed, s.graphSeed) && threshold == s.threshold && vectorLength == s.vectorLength
          && clip == s.clip && bits == s.bits && identityKeys.size() == s.identityKeys.size()
          && java.util.stream.IntStream.range(0, identityKeys.size())
              .allMatch(i -> Arrays.equals(identityKeys.get(i), s.identityKeys.get(i)));
    }

    @Override
    public int hashCode() {
      return Long.hashCode(round) * 31 + clients * 17 + degree;
    }

    @Override
    public String toString() {
      return "SecaggTask.Setup[round=" + round + ", m=" + clients + ", k=" + degree + ", t=" + threshold
          + ", length=" + vectorLength + ", clip=" + clip + ", bits=" + bits + "]";
    }
  }
}
