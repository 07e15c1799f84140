package io.flock.models.aggregation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import io.flock.models.weights.ParamSpec;
import java.util.List;

/** Two-parameter updates for hand-computed aggregation tests. */
final class Updates {

  static final ModelLayout LAYOUT = new ModelLayout(List.of(ParamSpec.of("w", 2)));

  private Updates() {}

  static ModelWeights w(float a, float b) {
    return ModelWeights.of(LAYOUT, new float[] {a, b});
  }

  static void assertClose(float a, float b, ModelWeights actual) {
    assertEquals(a, actual.get(0), 1e-6, "coordinate 0 of " + List.of(actual.get(0), actual.get(1)));
    assertEquals(b, actual.get(1), 1e-6, "coordinate 1 of " + List.of(actual.get(0), actual.get(1)));
  }

  /**
   * Four honest updates near (1, -1) and one attacker sending -10 times their mean, each with 100
   * samples. Their plain mean is (-1.16, 1.24): one attacker flips the sign of both coordinates.
   */
  static void addHonestAndAttacker(UpdateAggregator agg) {
    agg.add("honest-1", w(1.0f, -1.0f), 100);
    agg.add("honest-2", w(1.1f, -0.9f), 100);
    agg.add("honest-3", w(0.9f, -1.1f), 100);
    agg.add("honest-4", w(1.2f, -0.8f), 100);
    agg.add("attacker", w(-10.0f, 10.0f), 100); // -10 * (1.05, -0.95), rounded
  }
}
