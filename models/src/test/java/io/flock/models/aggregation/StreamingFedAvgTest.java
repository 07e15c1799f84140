package io.flock.models.aggregation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import io.flock.models.weights.ParamSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamingFedAvgTest {

  static final ModelLayout LAYOUT = new ModelLayout(List.of(ParamSpec.of("w", 2)));

  static ModelWeights w(float a, float b) {
    return ModelWeights.of(LAYOUT, new float[] {a, b});
  }

  @Test
  void meanIsWeightedBySampleCountAsInMcMahanAlgorithm1() {
    StreamingFedAvg avg = new StreamingFedAvg(LAYOUT);
    avg.add(w(1, 0), 100); // n_1 = 100
    avg.add(w(4, 3), 200); // n_2 = 200
    // (100*1 + 200*4)/300 = 3, (100*0 + 200*3)/300 = 2
    assertEquals(w(3, 2), avg.mean());
    assertEquals(2, avg.count());
    assertEquals(300, avg.totalWeight());
  }

  @Test
  void rejectedUpdateLeavesTheAccumulatorUnchanged() {
    StreamingFedAvg avg = new StreamingFedAvg(LAYOUT);
    avg.add(w(2, 2), 10);
    assertThrows(IllegalArgumentException.class, () -> avg.add(w(Float.NaN, 0), 10));
    assertThrows(IllegalArgumentException.class, () -> avg.add(w(1, 1), 0));
    ModelLayout other = new ModelLayout(List.of(ParamSpec.of("w", 3)));
    assertThrows(
        IllegalArgumentException.class, () -> avg.add(ModelWeights.zeros(other), 10));
    assertEquals(w(2, 2), avg.mean());
    assertEquals(1, avg.count());
  }

  @Test
  void meanOfNothingIsAnError() {
    assertThrows(IllegalStateException.class, () -> new StreamingFedAvg(LAYOUT).mean());
  }

  @Test
  void validatorNamesEachProblem() {
    assertNull(UpdateValidator.problem(w(1, 2), LAYOUT, 5));
    assertTrue(UpdateValidator.problem(w(1, Float.POSITIVE_INFINITY), LAYOUT, 5).contains("index 1"));
    assertTrue(UpdateValidator.problem(w(1, 2), LAYOUT, -3).contains("-3"));
    ModelLayout other = new ModelLayout(List.of(ParamSpec.of("v", 2)));
    assertTrue(UpdateValidator.problem(ModelWeights.zeros(other), LAYOUT, 5).contains("wrong layout"));
  }
}
