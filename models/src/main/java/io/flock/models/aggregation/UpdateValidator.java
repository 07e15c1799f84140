package io.flock.models.aggregation;

import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;

/**
 * Checks a node's update before it may touch the global model: right layout, finite values,
 * positive sample count. A rejected update never reaches an aggregator.
 */
public final class UpdateValidator {

  private UpdateValidator() {}

  /** The reason {@code update} is unacceptable, or null when it is fine. */
  public static String problem(ModelWeights update, ModelLayout expected, long numSamples) {
    if (update == null) {
      return "update is missing";
    }
    if (!expected.equals(update.layout())) {
      return "wrong layout: expected " + expected.describe() + ", got " + update.layout().describe();
    }
    if (numSamples <= 0) {
      return "numSamples must be > 0, was " + numSamples;
    }
    int bad = update.firstNonFinite();
    if (bad >= 0) {
      return "update has a non-finite value (" + update.get(bad) + ") at index " + bad;
    }
    return null;
  }
}
