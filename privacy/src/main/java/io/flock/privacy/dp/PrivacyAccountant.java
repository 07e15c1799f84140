package io.flock.privacy.dp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The privacy spent so far: an immutable history of phases of the sampled Gaussian mechanism,
 * each with its own sampling rate, noise multiplier and step count, composed by adding their RDP
 * curves (Mironov 2017, Proposition 1) and read out as {@code (epsilon, delta)} with a {@link
 * Conversion}.
 *
 * <p>The coordinator owns one, replaces it by {@link #compose} after every noised round, reports
 * {@link #epsilon(double)} and checks it against a {@link PrivacyBudget}. This record is also the
 * checkpoint and wire form: its only component is the list of {@link Phase} records, so Jackson
 * (JSON or CBOR) serializes and restores it without annotations. Keep it that way: no {@code
 * getX()}/{@code isX()} methods here, or they would become extra fields on the wire.
 *
 * <p>Consecutive steps with the same {@code (q, sigma)} are merged into one phase, so a run of ten
 * thousand identical rounds stays one entry, as in Opacus's {@code RDPAccountant.step}.
 *
 * @param phases the history, oldest first; copied, never null
 */
public record PrivacyAccountant(List<Phase> phases) {

  /**
   * {@code steps} steps of the sampled Gaussian mechanism with sampling rate {@code sampleRate}
   * and noise multiplier {@code noiseMultiplier}.
   *
   * @param sampleRate probability that a record (or node) takes part in a step, in {@code (0, 1]}
   * @param noiseMultiplier noise std divided by the L2 sensitivity (clip norm), {@code >= 0}
   * @param steps number of steps, {@code >= 1}
   */
  public record Phase(double sampleRate, double noiseMultiplier, long steps) {
    /** Validates the phase, so a malformed checkpoint or message fails when it is read. */
    public Phase {
      Checks.sampleRate(sampleRate);
      Checks.noiseMultiplier(noiseMultiplier);
      if (steps < 1) {
        throw new IllegalArgumentException("phase steps must be >= 1, was " + steps);
      }
    }
  }

  /** Copies and validates the history. */
  public PrivacyAccountant {
    phases = List.copyOf(Objects.requireNonNull(phases, "phases must not be null"));
  }

  /** Returns an accountant that has spent nothing. */
  public static PrivacyAccountant empty() {
    return new PrivacyAccountant(List.of());
  }

  /**
   * Returns this history followed by {@code steps} steps with sampling rate {@code q} and noise
   * multiplier {@code sigma}; this accountant is unchanged.
   *
   * @param steps {@code >= 0}; 0 returns this accountant
   */
  public PrivacyAccountant compose(double q, double sigma, long steps) {
    Checks.sampleRate(q);
    Checks.noiseMultiplier(sigma);
    Checks.steps(steps);
    if (steps == 0) {
      return this;
    }
    List<Phase> next = new ArrayList<>(phases);
    if (!next.isEmpty()) {
      Phase last = next.get(next.size() - 1);
      if (last.sampleRate() == q && last.noiseMultiplier() == sigma) {
        next.set(next.size() - 1, new Phase(q, sigma, Math.addExact(last.steps(), steps)));
        return new PrivacyAccountant(next);
      }
    }
    next.add(new Phase(q, sigma, steps));
    return new PrivacyAccountant(next);
  }

  /** Returns the total number of steps over all phases. */
  public long totalSteps() {
    long total = 0;
    for (Phase phase : phases) {
      total = Math.addExact(total, phase.steps());
    }
    return total;
  }

  /**
   * Returns the composed RDP of the whole history at each of {@code orders}. Phases with equal
   * {@code (q, sigma)} are evaluated once.
   */
  public double[] rdp(double[] orders) {
    RdpAccountant.checkOrders(orders);
    Map<List<Double>, Long> stepsByMechanism = new LinkedHashMap<>();
    for (Phase phase : phases) {
      stepsByMechanism.merge(
          List.of(phase.sampleRate(), phase.noiseMultiplier()), phase.steps(), Math::addExact);
    }
    double[] total = new double[orders.length];
    for (Map.Entry<List<Double>, Long> e : stepsByMechanism.entrySet()) {
      double q = e.getKey().get(0);
      double sigma = e.getKey().get(1);
      for (int k = 0; k < orders.length; k++) {
        total[k] += e.getValue() * RdpAccountant.rdpUnchecked(q, sigma, orders[k]);
      }
    }
    return total;
  }

  /** Epsilon spent at {@code delta}, {@link Conversion#IMPROVED}, default orders. */
  public PrivacySpent epsilon(double delta) {
    return epsilon(delta, Conversion.IMPROVED);
  }

  /** Epsilon spent at {@code delta} with {@code conversion} over the default orders. */
  public PrivacySpent epsilon(double delta, Conversion conversion) {
    return epsilon(delta, conversion, RdpAccountant.defaultOrders());
  }

  /** Epsilon spent at {@code delta} with {@code conversion} over {@code orders}. */
  public PrivacySpent epsilon(double delta, Conversion conversion, double[] orders) {
    Checks.delta(delta);
    Objects.requireNonNull(conversion, "conversion must not be null");
    return RdpAccountant.epsilon(orders, rdp(orders), delta, conversion);
  }

  /** Delta spent at {@code epsilon}, {@link Conversion#IMPROVED}, default orders. */
  public PrivacySpent delta(double epsilon) {
    return delta(epsilon, Conversion.IMPROVED);
  }

  /** Delta spent at {@code epsilon} with {@code conversion} over the default orders. */
  public PrivacySpent delta(double epsilon, Conversion conversion) {
    return delta(epsilon, conversion, RdpAccountant.defaultOrders());
  }

  /** Delta spent at {@code epsilon} with {@code conversion} over {@code orders}. */
  public PrivacySpent delta(double epsilon, Conversion conversion, double[] orders) {
    Checks.epsilon("epsilon", epsilon);
    Objects.requireNonNull(conversion, "conversion must not be null");
    return RdpAccountant.delta(orders, rdp(orders), epsilon, conversion);
  }
}
