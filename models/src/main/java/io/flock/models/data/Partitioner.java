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
    SHARDS,
    DIRICHLET,
    QUANTITY,
    /** The data set's own split: one node per group (label), e.g. per book of a text corpus. */
    NATURAL
  }

  private Partitioner() {}

  /** Partitions with the given scheme (two shards per node for {@link Scheme#SHARDS}). */
  public static List<int[]> partition(Scheme scheme, int[] labels, int nodes, long seed) {
    return partition(scheme, labels, nodes, seed, 0.5);
  }

  /** Partitions with the given scheme; {@code alpha} is the Dirichlet concentration. */
  public static List<int[]> partition(Scheme scheme, int[] labels, int nodes, long seed, double alpha) {
    return switch (scheme) {
      case IID -> iid(labels.length, nodes, seed);
      case SHARDS -> shards(labels, nodes, 2, seed);
      case DIRICHLET -> dirichlet(labels, nodes, alpha, seed);
      case QUANTITY -> quantity(labels.length, nodes, alpha, seed);
      case NATURAL -> natural(labels, nodes);
    };
  }

  /**
   * The natural partition: node {@code k} holds every sample of group (label) {@code k}, in order.
   *
   * @throws IllegalArgumentException unless {@code nodes} equals the number of groups
   */
  public static List<int[]> natural(int[] labels, int nodes) {
    int groups = java.util.Arrays.stream(labels).max().orElse(-1) + 1;
    if (nodes != groups) {
      throw new IllegalArgumentException("--partition natural gives one node per group: the data has "
          + groups + " groups, so use --nodes " + groups + ", was " + nodes);
    }
    int[] counts = new int[groups];
    for (int l : labels) {
      counts[l]++;
    }
    List<int[]> out = new ArrayList<>();
    int[] fill = new int[groups];
    for (int g = 0; g < groups; g++) {
      if (counts[g] == 0) {
        throw new IllegalArgumentException("group " + g + " has no samples: a node would have no data");
      }
      out.add(new int[counts[g]]);
    }
    for (int i = 0; i < labels.length; i++) {
      out.get(labels[i])[fill[labels[i]]++] = i;
    }
    return out;
  }

  /**
   * Label skew by a Dirichlet prior (Hsu, Qi and Brown 2019, "Measuring the Effects of
   * Non-Identical Data Distribution for Federated Visual Classification"): for every class, the
   * share of its samples each node gets is drawn from Dir(alpha, ..., alpha). Small alpha (0.1)
   * gives nodes few classes; large alpha (100) approaches IID. Every sample goes to exactly one
   * node; draws are repeated (with the same seeded generator) until every node has at least one
   * sample.
   */
  public static List<int[]> dirichlet(int[] labels, int nodes, double alpha, long seed) {
    if (!(alpha > 0) || Double.isInfinite(alpha)) {
      throw new IllegalArgumentException("Dirichlet alpha must be > 0 and finite, was " + alpha);
    }
    requireNodes(labels.length, nodes, 1);
    int classes = 0;
    for (int l : labels) {
      classes = Math.max(classes, l + 1);
    }
    List<List<Integer>> byClass = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      byClass.add(new ArrayList<>());
    }
    for (int i = 0; i < labels.length; i++) {
      byClass.get(labels[i]).add(i);
    }
    Random random = new Random(seed);
    for (int attempt = 0; attempt < 100; attempt++) {
      List<List<Integer>> parts = new ArrayList<>();
      for (int n = 0; n < nodes; n++) {
        parts.add(new ArrayList<>());
      }
      for (List<Integer> members : byClass) {
        int[] order = permutation(members.size(), random);
        double[] share = new double[nodes];
        double total = 0;
        for (int n = 0; n < nodes; n++) {
          share[n] = gamma(alpha, random);
          total += share[n];
        }
        int start = 0;
        double cumulative = 0;
        for (int n = 0; n < nodes; n++) {
          cumulative += share[n] / total;
          int end = n == nodes - 1 ? members.size() : (int) Math.round(cumulative * members.size());
          for (int k = start; k < end; k++) {
            parts.get(n).add(members.get(order[k]));
          }
          start = Math.max(start, end);
        }
      }
      if (parts.stream().allMatch(p -> !p.isEmpty())) {
        List<int[]> out = new ArrayList<>(nodes);
        for (List<Integer> p : parts) {
          out.add(p.stream().mapToInt(Integer::intValue).toArray());
        }
        return out;
      }
    }
    throw new IllegalArgumentException("Dirichlet(" + alpha + ") over " + nodes + " nodes left a node without"
        + " samples in 100 draws: use fewer nodes or a larger alpha");
  }

  /**
   * Quantity skew with IID labels (Li, Diao, Chen and He 2022, "Federated Learning on Non-IID Data
   * Silos: An Experimental Study", Sec. 4.3): node sizes are shares drawn from Dir(beta, ..., beta)
   * of a seeded shuffle; every node keeps at least one sample. Small beta gives a few large nodes
   * and many tiny ones.
   */
  public static List<int[]> quantity(int size, int nodes, double beta, long seed) {
    if (!(beta > 0) || Double.isInfinite(beta)) {
      throw new IllegalArgumentException("quantity-skew beta must be > 0 and finite, was " + beta);
    }
    requireNodes(size, nodes, 1);
    Random random = new Random(seed);
    int[] perm = permutation(size, random);
    double[] share = new double[nodes];
    double total = 0;
    for (int n = 0; n < nodes; n++) {
      share[n] = gamma(beta, random);
      total += share[n];
    }
    // One sample each first, the rest by the drawn shares.
    int spare = size - nodes;
    int[] counts = new int[nodes];
    int given = 0;
    double cumulative = 0;
    for (int n = 0; n < nodes; n++) {
      cumulative += share[n] / total;
      int upTo = n == nodes - 1 ? spare : (int) Math.round(cumulative * spare);
      counts[n] = 1 + Math.max(0, upTo - given);
      given = Math.max(given, upTo);
    }
    List<int[]> parts = new ArrayList<>(nodes);
    int start = 0;
    for (int n = 0; n < nodes; n++) {
      parts.add(Arrays.copyOfRange(perm, start, start + counts[n]));
      start += counts[n];
    }
    return parts;
  }

  /** A Gamma(shape, 1) draw (Marsaglia and Tsang 2000; boosted for shape < 1). */
  static double gamma(double shape, Random random) {
    if (shape < 1) {
      double u = random.nextDouble();
      return gamma(shape + 1, random) * Math.pow(u, 1 / shape);
    }
    double d = shape - 1.0 / 3;
    double c = 1 / Math.sqrt(9 * d);
    while (true) {
      double x = random.nextGaussian();
      double v = 1 + c * x;
      if (v <= 0) {
        continue;
      }
      v = v * v * v;
      double u = random.nextDouble();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
        return d * v;
      }
    }
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
