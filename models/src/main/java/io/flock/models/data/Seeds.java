package io.flock.models.data;

/**
 * Derives independent seeds from one master seed: one per node from (master seed, node index),
 * one per local training task from (node seed, round seed). Every seeded decision of a run
 * (initial model, partition, sampling, shuffling) traces back to the master seed.
 */
public final class Seeds {

  private Seeds() {}

  /**
   * A well-mixed seed from {@code (seed, index)}: the SplitMix64 finalizer (Steele, Lea and
   * Flood 2014) over {@code seed + golden-gamma * (index + 1)}.
   */
  public static long derive(long seed, long index) {
    long z = seed + 0x9E3779B97F4A7C15L * (index + 1);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
