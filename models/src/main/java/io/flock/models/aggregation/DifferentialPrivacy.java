package io.flock.models.aggregation;

import io.flock.models.training.TrainConfig;
import io.flock.models.weights.ModelLayout;
import io.flock.privacy.dp.AdaptiveClipping;
import io.flock.privacy.dp.Conversion;
import io.flock.privacy.dp.DpFedAvg;
import io.flock.privacy.dp.GaussianNoise;
import io.flock.privacy.dp.PrivacyAccountant;
import io.flock.privacy.dp.PrivacyBudget;
import io.flock.privacy.dp.PrivacySpent;

/**
 * Client-level differential privacy as a {@link Strategy} around a strategy that {@linkplain
 * Strategy#aggregatesByMean() aggregates by a mean}, as Flower's DP wrappers do: DP-FedAvg (McMahan
 * et al. 2018) with fixed or adaptive clipping (Andrew et al. 2021), noise added centrally by the
 * aggregator or in shares by the nodes, and a Renyi-DP accountant (Mironov, Talwar and Zhang 2019)
 * that records every released round and enforces the budget. {@link #wrap} builds it; the
 * coordinator sees only a strategy.
 *
 * <p>Per round: {@link #configureTrain} tells nodes what to do besides the wrapped strategy's
 * settings (clip to {@code C}, add a noise share in distributed mode), {@link #newAggregator}
 * replaces the wrapped strategy's mean with the clipped, noised mean of {@link DpMeanAggregator},
 * {@link #vetoRound} refuses the round that could exceed the budget and {@link #roundCompleted}
 * records the released round. The wrapped strategy's server optimizer runs on the privatized mean
 * as usual (DP-FedAvg, DP-FedAdam, ...); its name, mu, partial-work rule and evaluation are kept.
 *
 * <p>Node sampling rate {@code q} is the accountant's: the round samples a fixed number of nodes
 * and records {@code q = sampled / available}, the usual approximation of Poisson sampling.
 * Distributed mode is designed for secure aggregation: without it the coordinator sees each node's
 * update with only that node's share of the noise.
 *
 * <p>Unlike a plain strategy this one is stateful, one instance per run: owned by the coordinator,
 * used from its thread only; {@link #privacyState()} is the state to checkpoint.
 */
public final class DifferentialPrivacy implements Strategy {

  /** Where the noise is added. */
  public enum Mode {
    /** The aggregator adds N(0, (zS)^2) to the sum: nodes trust the coordinator. */
    CENTRAL,
    /** Each of the m nodes adds N(0, (zS)^2 / m) to its clipped update (for secure aggregation). */
    DISTRIBUTED
  }

  /**
   * @param mode central or distributed noise
   * @param noiseMultiplier z: noise std over the clip norm, > 0
   * @param clipNorm S, or the initial clip norm with adaptive clipping, > 0
   * @param delta the delta at which epsilon is reported, in (0, 1)
   * @param budgetEpsilon stop before epsilon would exceed this; 0 = no budget (report only)
   * @param adaptiveQuantile target unclipped quantile of adaptive clipping; NaN = fixed clipping
   * @param conversion RDP to (epsilon, delta) conversion
   */
  public record Settings(
      Mode mode,
      double noiseMultiplier,
      double clipNorm,
      double delta,
      double budgetEpsilon,
      double adaptiveQuantile,
      Conversion conversion) {

    /** Validates every field; the message names the field and the rule. */
    public Settings {
      if (mode == null || conversion == null) {
        throw new IllegalArgumentException("mode and conversion are required");
      }
      if (!(noiseMultiplier > 0) || Double.isInfinite(noiseMultiplier)) {
        throw new IllegalArgumentException("noiseMultiplier must be > 0 and finite, was " + noiseMultiplier);
      }
      if (!(clipNorm > 0) || Double.isInfinite(clipNorm)) {
        throw new IllegalArgumentException("clipNorm must be > 0 and finite, was " + clipNorm);
      }
      if (!(delta > 0 && delta < 1)) {
        throw new IllegalArgumentException("delta must be in (0, 1), was " + delta);
      }
      if (!(budgetEpsilon >= 0) || Double.isInfinite(budgetEpsilon)) {
        throw new IllegalArgumentException("budgetEpsilon must be >= 0 (0 = none), was " + budgetEpsilon);
      }
      if (!Double.isNaN(adaptiveQuantile) && !(adaptiveQuantile >= 0 && adaptiveQuantile <= 1)) {
        throw new IllegalArgumentException(
            "adaptiveQuantile must be in [0, 1] (NaN = fixed clipping), was " + adaptiveQuantile);
      }
    }

    /** Whether the clip norm adapts. */
    public boolean adaptive() {
      return !Double.isNaN(adaptiveQuantile);
    }
  }

  private final Strategy strategy;
  private final Settings settings;
  private final GaussianNoise noise;
  private PrivacyAccountant accountant = PrivacyAccountant.empty();
  private AdaptiveClipping clipping;

  /**
   * {@code strategy} with client-level differential privacy.
   *
   * @param strategy the wrapped strategy; must {@linkplain Strategy#aggregatesByMean() aggregate by
   *     a mean} and not be private already
   * @param expectedParticipants nodes sampled per round, m (sizes the count noise of adaptive
   *     clipping)
   * @param noise the cryptographically secure noise source
   * @throws IllegalArgumentException when the strategy cannot be wrapped (the message says what to
   *     do instead), or adaptive clipping cannot fit the settings
   */
  public static DifferentialPrivacy wrap(
      Strategy strategy, Settings settings, int expectedParticipants, GaussianNoise noise) {
    if (strategy == null || settings == null || noise == null) {
      throw new IllegalArgumentException("strategy, settings and noise are required");
    }
    if (strategy instanceof DifferentialPrivacy) {
      throw new IllegalArgumentException(
          "strategy '" + strategy.name() + "' is differentially private already; wrap it once");
    }
    if (!strategy.aggregatesByMean()) {
      throw new IllegalArgumentException(
          "differential privacy (DP-FedAvg) replaces a strategy's mean of the updates with a clipped,"
              + " noised mean, and strategy '" + strategy.name() + "' does not aggregate by a mean"
              + " (robust rules such as median, trimmed mean and Krum have no sensitivity bound to"
              + " calibrate the noise to): use a mean-based strategy ("
              + String.join(", ", Strategies.meanBased()) + ", or one whose aggregatesByMean() is"
              + " true) or run without differential privacy");
    }
    return new DifferentialPrivacy(strategy, settings, expectedParticipants, noise);
  }

  private DifferentialPrivacy(
      Strategy strategy, Settings settings, int expectedParticipants, GaussianNoise noise) {
    this.strategy = strategy;
    this.settings = settings;
    this.noise = noise;
    if (settings.adaptive()) {
      AdaptiveClipping rec = AdaptiveClipping.recommended(settings.clipNorm(), expectedParticipants);
      this.clipping = new AdaptiveClipping(settings.clipNorm(), settings.adaptiveQuantile(),
          rec.learningRate(), rec.countNoiseStd());
      if (!(2 * clipping.countNoiseStd() > settings.noiseMultiplier())) {
        throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
            "adaptive clipping noises the unclipped count with std m/20 = %.3f for m = %d nodes per round, "
                + "which must exceed z/2 = %.3f: sample more nodes per round (--fraction, --nodes) or lower "
                + "the noise (a larger --dp-epsilon or a smaller --dp-noise)",
            clipping.countNoiseStd(), expectedParticipants, settings.noiseMultiplier() / 2));
      }
    }
  }

  public Settings settings() {
    return settings;
  }

  /** The current clip norm C. */
  public double clipNorm() {
    return clipping != null ? clipping.clipNorm() : settings.clipNorm();
  }

  /** Noise multiplier of the update sum: z, or Andrew et al.'s adjusted z_Delta when adaptive. */
  public double updateNoiseMultiplier() {
    return clipping != null ? clipping.adjustedNoiseMultiplier(settings.noiseMultiplier())
        : settings.noiseMultiplier();
  }

  @Override
  public String name() {
    return strategy.name();
  }

  @Override
  public String describe() {
    return strategy.describe();
  }

  /** False: this strategy's mean is private already, and cannot be wrapped again. */
  @Override
  public boolean aggregatesByMean() {
    return false;
  }

  @Override
  public ServerOptimizer newServerOptimizer() {
    return strategy.newServerOptimizer();
  }

  @Override
  public double proximalMu() {
    return strategy.proximalMu();
  }

  @Override
  public boolean acceptsPartialWork() {
    return strategy.acceptsPartialWork();
  }

  @Override
  public EvaluationAggregator newEvaluationAggregator() {
    return strategy.newEvaluationAggregator();
  }

  /**
   * The wrapped strategy's train config, plus what the sampled nodes must do for privacy: clip,
   * and in distributed mode add their share of the noise. Shares are sized for the worst case the
   * round accepts, only {@code round.quorum()} nodes contributing ({@code z S / sqrt(quorum)} each),
   * so the guarantee holds whoever drops out; every extra contributor only adds noise.
   */
  @Override
  public TrainConfig configureTrain(TrainConfig base, RoundShape round) {
    double share = settings.mode() == Mode.DISTRIBUTED
        ? DpFedAvg.distributedNoiseStd(updateNoiseMultiplier(), clipNorm(), Math.max(1, round.quorum())) : 0;
    return strategy.configureTrain(base, round).withPrivacy(clipNorm(), share);
  }

  /**
   * The round's DP-FedAvg aggregator in place of the wrapped strategy's mean; its denominator is
   * the {@code round.sampled()} planned participants.
   */
  @Override
  public UpdateAggregator newAggregator(ModelLayout layout, RoundShape round) {
    if (settings.mode() == Mode.DISTRIBUTED) {
      return DpMeanAggregator.ofNoisedShares(layout, clipNorm(), round.sampled());
    }
    return new DpMeanAggregator(layout, clipNorm(),
        DpFedAvg.centralNoiseStd(updateNoiseMultiplier(), clipNorm()), round.sampled(), noise);
  }

  /**
   * Tells the wrapped strategy, then records a released round with the accountant: {@code
   * contributing} nodes were aggregated out
   * of {@code round.sampled()} (at sampling rate {@code q = sampled / available}), with a quorum of
   * {@code round.quorum()}; {@code unclipped} of them reported an update within the clip norm.
   */
  @Override
  public void roundCompleted(RoundShape round, int contributing, int unclipped) {
    strategy.roundCompleted(round, contributing, unclipped);
    double z = settings.noiseMultiplier();
    if (settings.mode() == Mode.DISTRIBUTED) {
      // Each share was sized for the quorum: n >= quorum shares give z * sqrt(n / quorum) >= z.
      z = DpFedAvg.effectiveNoiseMultiplier(z, Math.max(1, round.quorum()), contributing);
    }
    accountant = accountant.compose(round.samplingRate(), z, 1);
    if (clipping != null) {
      clipping = clipping.next(
          clipping.noisedUnclippedFraction(unclipped, contributing, round.sampled(), noise));
    }
  }

  /**
   * The wrapped strategy's veto first; then vetoes the round that could exceed the budget. The
   * worst case counts: in distributed mode only the quorum's shares, which were sized to give
   * noise multiplier z.
   */
  @Override
  public String vetoRound(RoundShape next) {
    String wrapped = strategy.vetoRound(next);
    if (wrapped != null) {
      return wrapped;
    }
    if (settings.budgetEpsilon() == 0
        || new PrivacyBudget(settings.budgetEpsilon(), settings.delta(), settings.conversion())
            .permits(accountant.compose(next.samplingRate(), settings.noiseMultiplier(), 1))) {
      return null;
    }
    return String.format("privacy budget reached: epsilon %.4f spent of %.4f (delta %s); one more round would exceed it",
        spent().epsilon(), settings.budgetEpsilon(), settings.delta());
  }

  /** Epsilon spent so far at the settings' delta (0 before the first round). */
  public PrivacySpent spent() {
    if (accountant.totalSteps() == 0) {
      return new PrivacySpent(0, settings.delta(), Double.NaN, settings.conversion());
    }
    return accountant.epsilon(settings.delta(), settings.conversion());
  }

  @Override
  public double epsilonSpent() {
    return spent().epsilon();
  }

  /** The accountant's record and, with adaptive clipping, its state. */
  @Override
  public PrivacyState privacyState() {
    return new PrivacyState(accountant, clipping);
  }

  /**
   * Continues from a checkpoint: the accountant's record and, with adaptive clipping, its state.
   *
   * @throws IllegalArgumentException when the checkpoint has no privacy state, or its clipping does
   *     not fit these settings (adaptive state for fixed clipping, or none for adaptive)
   */
  @Override
  public void restorePrivacyState(PrivacyState state) {
    if (state == null) {
      throw new IllegalArgumentException("the checkpoint has no privacy accountant, but this run uses"
          + " differential privacy: it was started without it");
    }
    AdaptiveClipping clippingState = state.clipping();
    if ((clippingState == null) != (clipping == null)) {
      throw new IllegalArgumentException("the checkpoint was made with " + (clippingState == null ? "fixed" : "adaptive")
          + " clipping, this run uses " + (clipping == null ? "fixed" : "adaptive") + " clipping");
    }
    this.accountant = state.accountant();
    if (clippingState != null) {
      this.clipping = clippingState;
    }
  }

  @Override
  public String toString() {
    return "DifferentialPrivacy(" + settings.mode() + ", " + strategy.describe() + ")";
  }
}
