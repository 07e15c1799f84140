package io.flock.models.aggregation;

import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import java.util.Map;

/**
 * A checkpoint of a {@link ServerOptimizer}: which optimizer, how many steps it took, and its state
 * vectors by name (empty before the first step). A plain record of Jackson-friendly values: {@link
 * ModelWeights} travel as a CBOR byte string, 4 bytes per value.
 *
 * <p>Hyperparameters (learning rate, betas, tau) are not part of the state: they come from the
 * strategy's configuration, so a resumed run may change them deliberately.
 *
 * @param optimizer the {@link ServerOptimizer#name()} this state belongs to
 * @param steps server steps taken, >= 0
 * @param slots state vectors by name, e.g. {@code m} and {@code v} for FedAdam; all of one layout
 */
public record ServerOptimizerState(String optimizer, long steps, Map<String, ModelWeights> slots) {

  /** Validates the fields and copies the map. */
  public ServerOptimizerState {
    if (optimizer == null || optimizer.isBlank()) {
      throw new IllegalArgumentException("optimizer must not be blank, was '" + optimizer + "'");
    }
    if (steps < 0) {
      throw new IllegalArgumentException("steps must be >= 0, was " + steps);
    }
    slots = slots == null ? Map.of() : Map.copyOf(slots);
    ModelLayout layout = null;
    for (Map.Entry<String, ModelWeights> e : slots.entrySet()) {
      ModelLayout l = e.getValue().layout();
      if (layout != null && !layout.equals(l)) {
        throw new IllegalArgumentException(
            "state slot '" + e.getKey() + "' has layout " + l.describe() + ", others have "
                + layout.describe());
      }
      layout = l;
    }
  }

  /** The slot {@code name}, or an error naming the missing slot. */
  ModelWeights slot(String name) {
    ModelWeights w = slots.get(name);
    if (w == null) {
      throw new IllegalArgumentException(
          optimizer + " state lacks slot '" + name + "' (has " + slots.keySet() + ")");
    }
    return w;
  }
}
