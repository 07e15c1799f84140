package io.flock.privacy.secagg;

import io.flock.privacy.identity.NodeIdentity;
import io.flock.privacy.secagg.SecaggMessages.IncomingShares;
import io.flock.privacy.secagg.SecaggMessages.NeighbourKeys;
import io.flock.privacy.secagg.SecaggMessages.Result;
import io.flock.privacy.secagg.SecaggMessages.UnmaskRequest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A round of n clients and a server in one process, stepped phase by phase, with deterministic
 * randomness. Not a test itself.
 */
final class SecaggFixture {

  final SecaggConfig config;
  final SecaggServer server;
  final List<SecaggClient> clients = new ArrayList<>();
  final List<NodeIdentity> identities = new ArrayList<>();
  Map<Integer, NeighbourKeys> neighbourKeys;
  Map<Integer, IncomingShares> incoming;
  UnmaskRequest unmaskRequest;

  SecaggFixture(
      SecaggGraph graph, int threshold, int length, SecaggQuantizer quantizer, long seed) {
    this(graph, threshold, length, quantizer, seed, 7L);
  }

  SecaggFixture(
      SecaggGraph graph,
      int threshold,
      int length,
      SecaggQuantizer quantizer,
      long seed,
      long round) {
    int n = graph.size();
    List<byte[]> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      NodeIdentity id = identity(i);
      identities.add(id);
      keys.add(id.publicKey());
    }
    config = new SecaggConfig(round, graph, threshold, length, quantizer, keys);
    server = SecaggServer.create(config);
    for (int i = 0; i < n; i++) {
      clients.add(SecaggClient.create(config, i, identities.get(i), random(seed * 1_000 + i)));
    }
  }

  /** The same identity for client i in every fixture, so configs of two rounds can share them. */
  static NodeIdentity identity(int i) {
    byte[] seed = new byte[32];
    seed[0] = (byte) i;
    seed[1] = (byte) (i >> 8);
    seed[31] = 42;
    return NodeIdentity.fromSeed(seed);
  }

  /** A deterministic SecureRandom: SHA1PRNG seeded before its first use never self-seeds. */
  static SecureRandom random(long seed) {
    try {
      SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
      r.setSeed(seed);
      return r;
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  static byte[] graphSeed(int b) {
    byte[] s = new byte[32];
    s[0] = (byte) b;
    return s;
  }

  /** Phases 1 and 2 for everyone. */
  SecaggFixture shareKeys() {
    clients.forEach(c -> server.receiveKeys(c.advertiseKeys()));
    neighbourKeys = server.relayKeys();
    clients.forEach(c -> server.receiveShares(c.shareKeys(neighbourKeys.get(c.id()))));
    incoming = server.relayShares();
    return this;
  }

  /** Phase 3 for every client not in {@code dropped}, with the given quantized inputs. */
  SecaggFixture maskQuantized(int[][] inputs, Set<Integer> dropped) {
    for (SecaggClient c : clients) {
      if (!dropped.contains(c.id())) {
        server.receiveMaskedInput(c.maskQuantized(incoming.get(c.id()), inputs[c.id()]));
      }
    }
    unmaskRequest = server.requestUnmask();
    return this;
  }

  /** Phase 3 with float updates. */
  SecaggFixture maskFloats(float[][] updates, Set<Integer> dropped) {
    for (SecaggClient c : clients) {
      if (!dropped.contains(c.id())) {
        server.receiveMaskedInput(c.maskInput(incoming.get(c.id()), updates[c.id()]));
      }
    }
    unmaskRequest = server.requestUnmask();
    return this;
  }

  /** Phase 4 for every survivor not in {@code silent}, then the server's result. */
  Result unmask(Set<Integer> silent) {
    for (int u : unmaskRequest.survivors()) {
      if (!silent.contains(u)) {
        server.receiveUnmask(clients.get(u).unmask(unmaskRequest));
      }
    }
    return server.finish();
  }

  /** Uniform quantized inputs in [0, 2^b - 1]. */
  int[][] quantizedInputs(long seed) {
    SecureRandom r = random(seed);
    long levels = (1L << config.quantizer().bits()) - 1;
    int[][] q = new int[config.clients()][config.vectorLength()];
    for (int[] row : q) {
      for (int i = 0; i < row.length; i++) {
        row[i] = (int) ((r.nextLong() >>> 1) % (levels + 1));
      }
    }
    return q;
  }

  /** The plain sum of the survivors' quantized inputs, mod 2^32, dequantized. */
  float[] plainSum(int[][] inputs, Set<Integer> dropped) {
    int[] sum = new int[config.vectorLength()];
    int m = 0;
    for (int u = 0; u < inputs.length; u++) {
      if (!dropped.contains(u)) {
        m++;
        for (int i = 0; i < sum.length; i++) {
          sum[i] += inputs[u][i];
        }
      }
    }
    return config.quantizer().dequantize(sum, m);
  }
}
