package io.flock.models.aggregation;

/**
 * The size of one round as the coordinator plans it, what a strategy may need to configure the
 * round, build its aggregator or account for it: nodes available to sample from, nodes sampled,
 * and the quorum of accepted updates the round needs. Differential privacy uses it for the
 * denominator of its mean, the noise share of each node and the sampling rate it accounts.
 *
 * @param available registered nodes the round samples from, >= 1
 * @param sampled nodes sampled, in [1, available]
 * @param quorum accepted updates the round needs to count, >= 0 (may exceed {@code sampled} when
 *     fewer nodes are available than the quorum; such a round fails)
 */
public record RoundShape(int available, int sampled, int quorum) {

  /** Validates the counts; the message names the value and the rule. */
  public RoundShape {
    if (available < 1) {
      throw new IllegalArgumentException("available must be >= 1, was " + available);
    }
    if (sampled < 1 || sampled > available) {
      throw new IllegalArgumentException(
          "sampled must be in [1, available = " + available + "], was " + sampled);
    }
    if (quorum < 0) {
      throw new IllegalArgumentException("quorum must be >= 0, was " + quorum);
    }
  }

  /** The node sampling rate {@code q = sampled / available}. */
  public double samplingRate() {
    return (double) sampled / available;
  }
}
