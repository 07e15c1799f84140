package io.flock.models.aggregation;

import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;

/** Argument checks shared by the server optimizers; messages name the value and the rule. */
final class OptimizerChecks {

  private OptimizerChecks() {}

  static double positive(String name, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + " must be > 0 and finite, was " + value);
    }
    return value;
  }

  static double unitInterval(String name, double value) {
    if (!(value >= 0 && value < 1)) {
      throw new IllegalArgumentException(name + " must be in [0, 1), was " + value);
    }
    return value;
  }

  /**
   * Checks one step's inputs against each other and against the layout of the state, when there is
   * state already ({@code stateLayout} non-null).
   */
  static void stepInputs(ModelWeights global, ModelWeights delta, ModelLayout stateLayout) {
    if (global == null || delta == null) {
      throw new IllegalArgumentException("global and combinedDelta must not be null");
    }
    if (!global.layout().equals(delta.layout())) {
      throw new IllegalArgumentException(
          "combinedDelta has layout " + delta.layout().describe() + ", the global model has "
              + global.layout().describe());
    }
    if (stateLayout != null && !stateLayout.equals(global.layout())) {
      throw new IllegalArgumentException(
          "the optimizer state has layout " + stateLayout.describe() + ", the global model has "
              + global.layout().describe());
    }
    int bad = delta.firstNonFinite();
    if (bad >= 0) {
      throw new IllegalArgumentException(
          "combinedDelta has a non-finite value (" + delta.get(bad) + ") at index " + bad);
    }
    bad = global.firstNonFinite();
    if (bad >= 0) {
      throw new IllegalArgumentException(
          "the global model has a non-finite value (" + global.get(bad) + ") at index " + bad);
    }
  }

  static void sameOptimizer(String expected, ServerOptimizerState state) {
    if (state == null) {
      throw new IllegalArgumentException("state must not be null");
    }
    if (!expected.equals(state.optimizer())) {
      throw new IllegalArgumentException(
          "state is for optimizer '" + state.optimizer() + "', this one is '" + expected + "'");
    }
  }
}
