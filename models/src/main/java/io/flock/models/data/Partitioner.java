package io.flock.models.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Splits a data set's samples over nodes, deterministically from a seed.
 *
 * <p>{@link #iid}: a seeded shuffle dealt into equal parts. {@link #shards}: the pathological
 * non-IID split of McMahan et al. 2017 (Sec. 3): sort by label, cut into {@code nodes *
 * shardsPerNode} shards of equal size, give each node {@code shardsPerNode} random shards (with
 * 100 nodes and 60,000 MNIST images: 200 shards of 300, two per node, so most nodes see only two
 * digits). Samples that do not divide evenly are left out, as in the paper's setup.
 */
public final class Partitioner {

  /** The partition schemes the CLI offers. */
  public enum Scheme {
    IID,
    SHARDS
  }

  private Partitioner() {}

  /** Partitions with the given scheme (two shards per node for {@link Scheme#SHARDS}). */
  public static List<int[]> partition(Scheme scheme, int[] labels, int nodes, long seed) {
    return switch (scheme) {
      case IID -> iid(labels.length, nodes, seed);
      case SHARDS -> shards(labels, nodes, 2, seed);
    };
  }

  /** IID: shuffle all indices with {@code seed} and deal {@code size / nodes} to each node. */
  public static List<int[]> iid(int size, int nodes, long seed) {
    requireNodes(size, nodes, 1);
    int[] perm = permutation(size, new Random(seed));
    int per = size / nodes;
    List<int[]> parts = new ArrayList<>(nodes);
    for (int n = 0; n < nodes; n++) {
      parts.add(Arrays.copyOfRange(perm, n * per, (n + 1) * per));
    }
    return parts;
  }

  /** Label shards: see the class comment. */
  public static List<int[]> shards(int[] labels, int nodes, int shardsPerNode, long seed) {
    if (shardsPerNode <= 0) {
      throw new IllegalArgumentException("shardsPerNode must be > 0, was " + shardsPerNode);
    }
    requireNodes(labels.length, nodes, shardsPerNode);
    Integer[] byLabel = new Integer[labels.length];
    for (int i = 0; i < byLabel.length; i++) {
      byLabel[i] = i;
    }
    // Stable sort by label keeps the original order inside a label: deterministic.
    Arrays.sort(byLabel, (a, b) -> Integer.compare(labels[a], labels[b]));
    int numShards = nodes * shardsPerNode;
    int shardSize = labels.length / numShards;
    int[] shardOrder = permutation(numShards, new Random(seed));
    List<int[]> parts = new ArrayList<>(nodes);
    for (int n = 0; n < nodes; n++) {
      int[] part = new int[shardsPerNode * shardSize];
      for (int s = 0; s < shardsPerNode; s++) {
        int shard = shardOrder[n * shardsPerNode + s];
        for (int k = 0; k < shardSize; k++) {
          part[s * shardSize + k] = byLabel[shard * shardSize + k];
        }
      }
      parts.add(part);
    }
    return parts;
  }

  /** A seeded Fisher-Yates permutation of {@code 0..n-1}. */
  public static int[] permutation(int n, Random random) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  private static void requireNodes(int size, int nodes, int piecesPerNode) {
    if (nodes <= 0) {
      throw new IllegalArgumentException("nodes must be > 0, was " + nodes);
    }
    if ((long) nodes * piecesPerNode > size) {
      throw new IllegalArgumentException(
          nodes + " nodes x " + piecesPerNode + " pieces need at least that many samples, the data set has " + size);
    }
  }
}
