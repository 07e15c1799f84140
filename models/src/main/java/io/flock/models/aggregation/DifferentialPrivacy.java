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
import java.util.Set;

/**
 * Client-level differential privacy around a mean-based strategy: DP-FedAvg (McMahan et al. 2018)
 * with fixed or adaptive clipping (Andrew et al. 2021), noise added centrally by the aggregator or
 * in shares by the nodes, and a Renyi-DP accountant (Mironov, Talwar and Zhang 2019) that records
 * every released round and enforces the budget.
 *
 * <p>Per round the coordinator asks {@link #configure} for what nodes must do (clip to {@code C},
 * add a noise share in distributed mode), {@link #newAggregator} for the round's aggregator, and
 * after the round calls {@link #recordRound}. {@link #permitsRound} says whether one more round
 * fits the budget; the coordinator stops before a round that would not. The strategy's server
 * optimizer runs on the privatized mean as usual (DP-FedAvg, DP-FedAdam, ...).
 *
 * <p>Node sampling rate {@code q} is the accountant's: the round samples a fixed number of nodes
 * and records {@code q = sampled / available}, the usual approximation of Poisson sampling.
 * Distributed mode is designed for secure aggregation: without it the coordinator sees each node's
 * update with only that node's share of the noise.
 *
 * <p>Mutable, owned by the coordinator, used from its thread only; {@link #accountant()} and {@link
 * #clipping()} are the state to checkpoint.
 */
public final class DifferentialPrivacy {

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

  /** Strategies whose aggregation is a mean of updates, the ones DP-FedAvg can privatize. */
  public static final Set<String> MEAN_BASED =
      Set.of("fedavg", "fedprox", "fedavgm", "fedadam", "fedyogi", "fedadagrad");

  private final Settings settings;
  private final GaussianNoise noise;
  private PrivacyAccountant accountant = PrivacyAccountant.empty();
  private AdaptiveClipping clipping;

  /**
   * @param strategy the wrapped strategy; must be mean-based
   * @param expectedParticipants nodes sampled per round, m (sizes the count noise of adaptive
   *     clipping)
   */
  public DifferentialPrivacy(Settings settings, Strategy strategy, int expectedParticipants, GaussianNoise noise) {
    if (!MEAN_BASED.contains(strategy.name())) {
      throw new IllegalArgumentException(
          "differential privacy wraps mean-based strategies " + MEAN_BASED + "; '" + strategy.name()
              + "' has no DP sensitivity bound in Flock");
    }
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

  /**
   * What the sampled nodes must do this round: clip, and in distributed mode add their share of
   * the noise. Shares are sized for the worst case the round accepts, only {@code quorum} nodes
   * contributing ({@code z S / sqrt(quorum)} each), so the guarantee holds whoever drops out; every
   * extra contributor only adds noise.
   */
  public TrainConfig configure(TrainConfig base, int quorum) {
    double share = settings.mode() == Mode.DISTRIBUTED
        ? DpFedAvg.distributedNoiseStd(updateNoiseMultiplier(), clipNorm(), Math.max(1, quorum)) : 0;
    return base.withPrivacy(clipNorm(), share);
  }

  /** The aggregator of a round with {@code planned} sampled nodes. */
  public UpdateAggregator newAggregator(ModelLayout layout, int planned) {
    if (settings.mode() == Mode.DISTRIBUTED) {
      return DpMeanAggregator.ofNoisedShares(layout, clipNorm(), planned);
    }
    return new DpMeanAggregator(layout, clipNorm(),
        DpFedAvg.centralNoiseStd(updateNoiseMultiplier(), clipNorm()), planned, noise);
  }

  /**
   * Records a released round: {@code contributing} nodes were aggregated out of {@code planned}
   * sampled (at sampling rate {@code q}), with a quorum of {@code quorum}; {@code unclipped} of
   * them reported an update within the clip norm.
   */
  public void recordRound(double q, int planned, int quorum, int contributing, int unclipped) {
    double z = settings.noiseMultiplier();
    if (settings.mode() == Mode.DISTRIBUTED) {
      // Each share was sized for the quorum: n >= quorum shares give z * sqrt(n / quorum) >= z.
      z = DpFedAvg.effectiveNoiseMultiplier(z, Math.max(1, quorum), contributing);
    }
    accountant = accountant.compose(q, z, 1);
    if (clipping != null) {
      clipping = clipping.next(clipping.noisedUnclippedFraction(unclipped, contributing, planned, noise));
    }
  }

  /**
   * Whether one more round at sampling rate {@code q} fits the budget. The worst case counts: in
   * distributed mode only the quorum's shares, which were sized to give noise multiplier z.
   */
  public boolean permitsRound(double q) {
    return settings.budgetEpsilon() == 0
        || new PrivacyBudget(settings.budgetEpsilon(), settings.delta(), settings.conversion())
            .permits(accountant.compose(q, settings.noiseMultiplier(), 1));
  }

  /** Epsilon spent so far at the settings' delta (0 before the first round). */
  public PrivacySpent spent() {
    if (accountant.totalSteps() == 0) {
      return new PrivacySpent(0, settings.delta(), Double.NaN, settings.conversion());
    }
    return accountant.epsilon(settings.delta(), settings.conversion());
  }

  /** The accountant's state (for checkpoints). */
  public PrivacyAccountant accountant() {
    return accountant;
  }

  /**
   * Continues from a checkpoint: the accountant's record and, with adaptive clipping, its state.
   *
   * @throws IllegalArgumentException when the checkpoint's clipping does not fit these settings
   *     (adaptive state for fixed clipping, or none for adaptive)
   */
  public void restore(PrivacyAccountant recorded, AdaptiveClipping clippingState) {
    if (recorded == null) {
      throw new IllegalArgumentException("the checkpoint has no privacy accountant, but this run uses"
          + " differential privacy: it was started without it");
    }
    if ((clippingState == null) != (clipping == null)) {
      throw new IllegalArgumentException("the checkpoint was made with " + (clippingState == null ? "fixed" : "adaptive")
          + " clipping, this run uses " + (clipping == null ? "fixed" : "adaptive") + " clipping");
    }
    this.accountant = recorded;
    if (clippingState != null) {
      this.clipping = clippingState;
    }
  }

  /** The adaptive clipping state, or null with fixed clipping (for checkpoints). */
  public AdaptiveClipping clipping() {
    return clipping;
  }
}
