package io.flock.models.weights;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The ordered parameter list of a model, in DJL {@code Block.getParameters()} order. Two weight
 * vectors can be combined only when their layouts are equal.
 *
 * @param params parameters in model order; names unique
 */
public record ModelLayout(List<ParamSpec> params) {

  /** Validates uniqueness and size, and copies the list. */
  public ModelLayout {
    if (params == null || params.isEmpty()) {
      throw new IllegalArgumentException("a model layout needs at least one parameter");
    }
    Set<String> seen = new HashSet<>();
    long total = 0;
    for (ParamSpec p : params) {
      if (!seen.add(p.name())) {
        throw new IllegalArgumentException("duplicate parameter name '" + p.name() + "'");
      }
      total = Math.addExact(total, p.size());
    }
    if (total > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "layout has " + total + " parameters; one ModelWeights holds at most 2^31 - 9");
    }
    params = List.copyOf(params);
  }

  /** Total number of scalar parameters. */
  @JsonIgnore
  public int numParams() {
    long total = 0;
    for (ParamSpec p : params) {
      total += p.size();
    }
    return (int) total;
  }

  /** Short human description: parameter count and tensor count. */
  public String describe() {
    return numParams() + " params in " + params.size() + " tensors";
  }
}
