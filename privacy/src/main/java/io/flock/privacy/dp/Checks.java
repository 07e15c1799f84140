package io.flock.privacy.dp;

/**
 * Argument checks shared by the accountant, the calibration and DP-FedAvg, so that every public
 * entry point rejects bad input with the same message naming the value and the rule.
 */
final class Checks {

  private Checks() {}

  static double sampleRate(double q) {
    if (!(q > 0.0 && q <= 1.0)) {
      throw new IllegalArgumentException("sampleRate must be in (0, 1], was " + q);
    }
    return q;
  }

  static double noiseMultiplier(double sigma) {
    if (!(sigma >= 0.0) || Double.isInfinite(sigma)) {
      throw new IllegalArgumentException(
          "noiseMultiplier must be >= 0 and finite, was " + sigma);
    }
    return sigma;
  }

  static double delta(double delta) {
    if (!(delta > 0.0 && delta < 1.0)) {
      throw new IllegalArgumentException("delta must be in (0, 1), was " + delta);
    }
    return delta;
  }

  static double epsilon(String name, double epsilon) {
    if (!(epsilon > 0.0) || Double.isInfinite(epsilon)) {
      throw new IllegalArgumentException(name + " must be > 0 and finite, was " + epsilon);
    }
    return epsilon;
  }

  static long steps(long steps) {
    if (steps < 0) {
      throw new IllegalArgumentException("steps must be >= 0, was " + steps);
    }
    return steps;
  }

  static double positive(String name, double value) {
    if (!(value > 0.0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + " must be > 0 and finite, was " + value);
    }
    return value;
  }

  static double nonNegative(String name, double value) {
    if (!(value >= 0.0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + " must be >= 0 and finite, was " + value);
    }
    return value;
  }

  static int positiveCount(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be >= 1, was " + value);
    }
    return value;
  }
}
