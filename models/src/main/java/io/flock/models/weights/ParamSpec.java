package io.flock.models.weights;

import java.util.List;

/**
 * One named parameter of a model: its name as DJL reports it and its shape.
 *
 * @param name parameter name, e.g. {@code "01Linear_weight"}
 * @param shape dimensions, each > 0
 */
public record ParamSpec(String name, List<Long> shape) {

  /** Validates the spec and copies the shape so the record is immutable. */
  public ParamSpec {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("parameter name must not be blank, was '" + name + "'");
    }
    if (shape == null || shape.isEmpty()) {
      throw new IllegalArgumentException("parameter '" + name + "' needs a non-empty shape");
    }
    for (Long d : shape) {
      if (d == null || d <= 0) {
        throw new IllegalArgumentException(
            "parameter '" + name + "' has dimension " + d + " in shape " + shape + ": must be > 0");
      }
    }
    shape = List.copyOf(shape);
  }

  /** Convenience factory from a varargs shape. */
  public static ParamSpec of(String name, long... shape) {
    Long[] boxed = new Long[shape.length];
    for (int i = 0; i < shape.length; i++) {
      boxed[i] = shape[i];
    }
    return new ParamSpec(name, List.of(boxed));
  }

  /** Number of scalar elements in this parameter. */
  public long size() {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** The shape as a primitive array, for DJL. */
  public long[] shapeArray() {
    long[] s = new long[shape.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = shape.get(i);
    }
    return s;
  }
}
