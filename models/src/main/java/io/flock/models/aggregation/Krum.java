package io.flock.models.aggregation;

import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Krum and Multi-Krum (Blanchard et al. 2017, "Machine Learning with Adversaries: Byzantine
 * Tolerant Gradient Descent", NeurIPS, Sec. 4).
 *
 * <p>With {@code n} updates of which at most {@code f} are Byzantine, each update {@code V_i} gets
 * the score {@code s(i) = sum_{i -> j} ||V_i - V_j||^2}, where {@code i -> j} ranges over the
 * {@code n - f - 2} updates closest to {@code V_i}. Krum ({@code m = 1}) returns the update with
 * the lowest score; Multi-Krum returns the unweighted mean of the {@code m} lowest-scoring updates.
 * The rule needs {@code n > 2f + 2}; {@link #result()} fails otherwise. Ties in score go to the
 * smaller node id, so the choice does not depend on arrival order.
 *
 * <p>Unweighted, as in the paper: sample counts do not enter the score or the mean (Flower's
 * MultiKrum averages the selected updates weighted by examples; we do not, so a Byzantine node
 * cannot gain weight by claiming many samples).
 *
 * <p>Memory: keeps every update of the round (references, no copies), O(n * model), plus an n x n
 * distance matrix. Time: O(n^2 * model) in {@link #result()}.
 */
public final class Krum extends BufferedAggregator {

  private final int f;
  private final int m;
  private List<String> lastSelected = List.of();

  /**
   * An empty Krum / Multi-Krum aggregator.
   *
   * @param f the number of Byzantine updates tolerated, >= 0
   * @param m how many lowest-score updates are averaged, >= 1 ({@code 1} is Krum); at result time
   *     it must be at most {@code n - f}, so that at least one selected update is honest even
   *     when all {@code f} Byzantine updates score well
   */
  public Krum(ModelLayout layout, int f, int m) {
    super(layout);
    checkParameters(f, m);
    this.f = f;
    this.m = m;
  }

  /** Throws unless {@code f >= 0} and {@code m >= 1}; the message names the value and the rule. */
  static void checkParameters(int f, int m) {
    if (f < 0) {
      throw new IllegalArgumentException("byzantine (f) must be >= 0, was " + f);
    }
    if (m < 1) {
      throw new IllegalArgumentException("multi-Krum m must be >= 1 (1 = Krum), was " + m);
    }
  }

  /** The number of Byzantine updates tolerated. */
  public int byzantine() {
    return f;
  }

  /** How many updates are averaged (1 = Krum). */
  public int selectCount() {
    return m;
  }

  /**
   * The Krum choice (or the Multi-Krum mean).
   *
   * @throws IllegalStateException when {@code n <= 2f + 2} or {@code m > n - f}
   */
  @Override
  public ModelWeights result() {
    contributions.requireAny();
    int n = updates.size();
    if (n <= 2 * f + 2) {
      throw new IllegalStateException(
          "Krum with f = " + f + " needs n > 2f + 2 = " + (2 * f + 2) + " updates, has " + n);
    }
    if (m > n - f) {
      throw new IllegalStateException(
          "Multi-Krum m = " + m + " must be <= n - f = " + (n - f) + " (n = " + n + ", f = " + f
              + ")");
    }
    double[] scores = scores();
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(
        order,
        Comparator.<Integer>comparingDouble(i -> scores[i]).thenComparing(i -> nodeIds.get(i)));
    List<String> selected = new ArrayList<>(m);
    float[] out = new float[contributions.layout().numParams()];
    if (m == 1) {
      updates.get(order[0]).copyInto(out);
      selected.add(nodeIds.get(order[0]));
    } else {
      double[] sum = new double[out.length];
      for (int s = 0; s < m; s++) {
        updates.get(order[s]).accumulateInto(sum, 1.0);
        selected.add(nodeIds.get(order[s]));
      }
      for (int i = 0; i < out.length; i++) {
        out[i] = (float) (sum[i] / m);
      }
    }
    lastSelected = List.copyOf(selected);
    return ModelWeights.wrap(contributions.layout(), out);
  }

  /** The node ids whose updates the last {@link #result()} selected, best score first. */
  public List<String> selectedNodes() {
    return lastSelected;
  }

  /** {@code s(i)} for every update, in insertion order. */
  private double[] scores() {
    int n = updates.size();
    double[][] dist = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        dist[i][j] = dist[j][i] = squaredDistance(updates.get(i), updates.get(j));
      }
    }
    int neighbours = n - f - 2;
    double[] scores = new double[n];
    double[] others = new double[n - 1];
    for (int i = 0; i < n; i++) {
      int c = 0;
      for (int j = 0; j < n; j++) {
        if (j != i) {
          others[c++] = dist[i][j];
        }
      }
      Arrays.sort(others);
      double s = 0;
      for (int k = 0; k < neighbours; k++) {
        s += others[k];
      }
      scores[i] = s;
    }
    return scores;
  }

  private static double squaredDistance(ModelWeights a, ModelWeights b) {
    double s = 0;
    for (int i = 0, size = a.size(); i < size; i++) {
      double d = (double) a.get(i) - b.get(i);
      s += d * d;
    }
    return s;
  }
}
