package io.flock.privacy.secagg;

import io.flock.privacy.crypto.ChaCha20Prg;
import java.util.Arrays;

/**
 * Who shares masks and secrets with whom: the SecAgg+ communication graph (Bell et al. 2020,
 * "Secure Single-Server Aggregation with (Poly)Logarithmic Overhead", CCS). Clients are placed on a
 * ring in the order of a permutation drawn from a public 32-byte seed, and each is linked to the
 * {@code k/2} clients on either side: a Harary graph H(k, n), k-regular, symmetric, and connected
 * for every even {@code k >= 2}. {@link #complete} is the classic SecAgg graph of Bonawitz et al.
 * 2017, every client linked to every other.
 *
 * <p>Immutable. Neighbour lists are sorted by client id; the position of {@code v} in {@code u}'s
 * list, plus one, is the Shamir evaluation point of the share of {@code u}'s self-mask seed that
 * {@code v} holds.
 */
public final class SecaggGraph {

  /** Bouncy Castle's Shamir sharing numbers shares with one byte: at most 255 per secret. */
  public static final int MAX_DEGREE = 255;

  private static final long PERMUTATION_NONCE = 0x5345434147475250L; // "SECAGGRP"

  private final int[][] neighbours;
  private final int degree;
  private final boolean complete;

  private SecaggGraph(int[][] neighbours, int degree, boolean complete) {
    this.neighbours = neighbours;
    this.degree = degree;
    this.complete = complete;
  }

  /**
   * The complete graph on {@code n} clients (classic SecAgg).
   *
   * @throws IllegalArgumentException unless {@code 2 <= n <= MAX_DEGREE + 1}
   */
  public static SecaggGraph complete(int n) {
    if (n < 2 || n > MAX_DEGREE + 1) {
      throw new IllegalArgumentException(
          "clients must be in [2, " + (MAX_DEGREE + 1) + "] for a complete graph, was " + n);
    }
    int[][] nb = new int[n][n - 1];
    for (int u = 0; u < n; u++) {
      for (int v = 0, j = 0; v < n; v++) {
        if (v != u) {
          nb[u][j++] = v;
        }
      }
    }
    return new SecaggGraph(nb, n - 1, true);
  }

  /**
   * The graph of degree {@code k} on {@code n} clients: {@link #complete} when {@code k == n - 1},
   * else {@link #harary}, whose checks apply.
   */
  public static SecaggGraph of(int n, int k, byte[] seed) {
    return k == n - 1 ? complete(n) : harary(n, k, seed);
  }

  /**
   * The k-regular Harary graph over the ring permuted by {@code seed}; {@code k == n - 1} gives the
   * complete graph.
   *
   * @param seed 32 public bytes (for example from the round's coordinator), copied
   * @throws IllegalArgumentException unless {@code n >= 3}, {@code k} even, {@code 2 <= k < n},
   *     {@code k <= MAX_DEGREE}
   */
  public static SecaggGraph harary(int n, int k, byte[] seed) {
    if (n < 3) {
      throw new IllegalArgumentException("clients must be >= 3 for a k-regular graph, was " + n);
    }
    if (k < 2 || k >= n || k % 2 != 0) {
      throw new IllegalArgumentException(
          "degree k must be even and in [2, n) = [2, " + n + "), was " + k);
    }
    if (k > MAX_DEGREE) {
      throw new IllegalArgumentException("degree k must be <= " + MAX_DEGREE + ", was " + k);
    }
    ChaCha20Prg.checkKey(seed);
    int[] ring = permutation(n, new ChaCha20Prg(seed, PERMUTATION_NONCE));
    int[][] nb = new int[n][k];
    for (int p = 0; p < n; p++) {
      int j = 0;
      for (int d = 1; d <= k / 2; d++) {
        nb[ring[p]][j++] = ring[(p + d) % n];
        nb[ring[p]][j++] = ring[(p - d + n) % n];
      }
      Arrays.sort(nb[ring[p]]);
    }
    return new SecaggGraph(nb, k, k == n - 1);
  }

  // Fisher-Yates with unbiased bounded draws (rejection of the incomplete top range).
  private static int[] permutation(int n, ChaCha20Prg prg) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      long bound = i + 1L;
      long limit = (1L << 32) - ((1L << 32) % bound);
      long r;
      do {
        r = prg.nextInt() & 0xFFFFFFFFL;
      } while (r >= limit);
      int j = (int) (r % bound);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** The number of clients. */
  public int size() {
    return neighbours.length;
  }

  /** Every client's number of neighbours, k. */
  public int degree() {
    return degree;
  }

  /** Whether every client is linked to every other (classic SecAgg). */
  public boolean isComplete() {
    return complete;
  }

  /** The neighbours of {@code client}, sorted by id (a copy). */
  public int[] neighbours(int client) {
    return neighbours[check(client)].clone();
  }

  /** Whether {@code u} and {@code v} are linked. */
  public boolean areNeighbours(int u, int v) {
    return shareIndex(u, v) > 0;
  }

  /**
   * The Shamir evaluation point (1..k) of the share of {@code owner}'s self-mask seed held by
   * {@code holder}, or 0 if they are not neighbours.
   */
  public int shareIndex(int owner, int holder) {
    int i = Arrays.binarySearch(neighbours[check(owner)], check(holder));
    return i >= 0 ? i + 1 : 0;
  }

  int check(int client) {
    if (client < 0 || client >= neighbours.length) {
      throw new IllegalArgumentException(
          "client id must be in [0, " + neighbours.length + "), was " + client);
    }
    return client;
  }

  @Override
  public String toString() {
    return "SecaggGraph[n=" + size() + ", k=" + degree + (complete ? ", complete" : "") + "]";
  }
}
