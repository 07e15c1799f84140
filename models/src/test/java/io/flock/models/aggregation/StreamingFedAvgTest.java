package io.flock.models.aggregation;

import static io.flock.models.aggregation.Updates.LAYOUT;
import static io.flock.models.aggregation.Updates.assertClose;
import static io.flock.models.aggregation.Updates.w;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import io.flock.models.weights.ParamSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamingFedAvgTest {

  @Test
  void meanIsWeightedBySampleCountAsInMcMahanAlgorithm1() {
    StreamingFedAvg avg = new StreamingFedAvg(LAYOUT);
    avg.add("a", w(1, 0), 100); // n_1 = 100
    avg.add("b", w(4, 3), 200); // n_2 = 200
    // (100*1 + 200*4)/300 = 3, (100*0 + 200*3)/300 = 2
    assertEquals(w(3, 2), avg.result());
    assertEquals(2, avg.count());
    assertEquals(300, avg.totalSamples());
  }

  @Test
  void oneAttackerFlipsTheSignOfTheMean() {
    // Why the robust rules exist: (1.0 + 1.1 + 0.9 + 1.2 - 10) / 5 = -1.16 and
    // (-1.0 - 0.9 - 1.1 - 0.8 + 10) / 5 = 1.24: both coordinates change sign.
    StreamingFedAvg avg = new StreamingFedAvg(LAYOUT);
    Updates.addHonestAndAttacker(avg);
    assertClose(-1.16f, 1.24f, avg.result());
  }

  @Test
  void resultCanBeTakenAgainAfterMoreUpdates() {
    StreamingFedAvg avg = new StreamingFedAvg(LAYOUT);
    avg.add("a", w(2, 2), 1);
    assertEquals(w(2, 2), avg.result());
    avg.add("b", w(4, 0), 3); // (2 + 12) / 4 = 3.5, (2 + 0) / 4 = 0.5
    assertEquals(w(3.5f, 0.5f), avg.result());
  }

  @Test
  void validatorNamesEachProblem() {
    assertNull(UpdateValidator.problem(w(1, 2), LAYOUT, 5));
    assertTrue(UpdateValidator.problem(w(1, Float.POSITIVE_INFINITY), LAYOUT, 5).contains("index 1"));
    assertTrue(UpdateValidator.problem(w(1, 2), LAYOUT, -3).contains("-3"));
    ModelLayout other = new ModelLayout(List.of(ParamSpec.of("v", 2)));
    assertTrue(UpdateValidator.problem(ModelWeights.zeros(other), LAYOUT, 5).contains("wrong layout"));
  }

  @Test
  void meanOfManyUpdatesIsExactAndIndependentOfArrivalOrder() {
    // 10,000 identical updates of 7 samples each: the weighted mean is the update itself, exactly
    // (a plain float running sum drifts by over a hundred ulps, checked below).
    float a = 0.1f;
    float b = -3.3e-5f;
    StreamingFedAvg avg = new StreamingFedAvg(LAYOUT);
    float naive = 0;
    for (int k = 0; k < 10_000; k++) {
      avg.add("node-" + k, w(a, b), 7);
      naive += 7 * a;
    }
    assertEquals(w(a, b), avg.result());
    assertTrue(Math.abs(naive / 70_000 - a) > 100 * Math.ulp(a), "plain float drift " + (naive / 70_000 - a));

    // The same five updates in two orders give bit-identical means (a federation's arrival order
    // depends on timing; a seeded run must not).
    float[][] updates = {{0.1f, 3e-7f}, {-2.5f, 1e-3f}, {7.3e4f, -0.2f}, {1e-8f, 9.9f}, {0.3f, 0.7f}};
    long[] samples = {3, 600, 1, 77, 12};
    StreamingFedAvg forward = new StreamingFedAvg(LAYOUT);
    StreamingFedAvg backward = new StreamingFedAvg(LAYOUT);
    for (int k = 0; k < 5; k++) {
      forward.add("n" + k, w(updates[k][0], updates[k][1]), samples[k]);
      backward.add("n" + (4 - k), w(updates[4 - k][0], updates[4 - k][1]), samples[4 - k]);
    }
    assertEquals(forward.result(), backward.result());
  }

  @Test
  void updatesFoldedInBlocksGiveTheMeanOfOneAtATimeAcrossBlockBoundaries() {
    // 2 * BLOCK + 3 updates: two full blocks folded during add, a partial one at result().
    int n = 2 * StreamingFedAvg.BLOCK + 3;
    StreamingFedAvg avg = new StreamingFedAvg(LAYOUT);
    double[] expected = new double[2];
    long total = 0;
    for (int k = 0; k < n; k++) {
      ModelWeights u = w(0.37f * k - 3, 1f / (k + 1));
      avg.add("n" + k, u, k + 1);
      u.accumulateInto(expected, k + 1);
      total += k + 1;
    }
    assertEquals(w((float) (expected[0] / total), (float) (expected[1] / total)), avg.result());
    assertEquals(n, avg.count());
  }
}
