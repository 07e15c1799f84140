package io.flock.actors.round;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * Seeded choices of a round, pure and reproducible: which nodes are sampled (without replacement,
 * from the listing sorted by a stable key, so the receptionist's order does not matter), and, in
 * simulations, which sampled nodes straggle and how much work they manage.
 */
final class NodeSampler {

  private NodeSampler() {}

  /** {@code k} of {@code all}, chosen by a generator seeded with {@code seed}. */
  static <T> List<T> sample(List<T> all, int k, Function<T, String> key, long seed) {
    List<T> sorted = new ArrayList<>(all);
    sorted.sort(Comparator.comparing(key));
    Random random = new Random(seed);
    for (int i = 0; i < k; i++) {
      int j = i + random.nextInt(sorted.size() - i);
      T t = sorted.get(i);
      sorted.set(i, sorted.get(j));
      sorted.set(j, t);
    }
    return new ArrayList<>(sorted.subList(0, k));
  }

  /**
   * Simulated stragglers as in Li et al. 2020 (FedProx, Sec. 5.2): a fraction of the sampled
   * nodes, chosen with {@code seed}, each does a number of local epochs drawn uniformly from
   * {@code [1, epochs - 1]} instead of {@code epochs}.
   *
   * @return node id to its reduced epoch count, for the stragglers only
   */
  static Map<String, Integer> stragglers(List<String> sampledIds, double fraction, int epochs, long seed) {
    Map<String, Integer> out = new HashMap<>();
    int count = (int) Math.round(fraction * sampledIds.size());
    if (count == 0 || epochs < 2) {
      return out;
    }
    Random random = new Random(seed ^ 0x5DEECE66DL);
    for (String id : sample(sampledIds, count, Function.identity(), random.nextLong())) {
      out.put(id, 1 + random.nextInt(epochs - 1));
    }
    return out;
  }
}
