package io.flock.models.aggregation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flock.models.training.TrainConfig;
import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import io.flock.models.weights.ParamSpec;
import io.flock.privacy.dp.Conversion;
import io.flock.privacy.dp.DpFedAvg;
import io.flock.privacy.dp.GaussianNoise;
import io.flock.privacy.dp.PrivacyAccountant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DifferentialPrivacyTest {

  static final ModelLayout LAYOUT = new ModelLayout(List.of(ParamSpec.of("w", 2)));
  static final GaussianNoise NOISE = GaussianNoise.withKey(new byte[32]);
  static final TrainConfig TRAIN = new TrainConfig(1, 10, 0.1, 0, 0, 0, 0);

  static DifferentialPrivacy.Settings settings(DifferentialPrivacy.Mode mode, double z, double quantile) {
    return new DifferentialPrivacy.Settings(mode, z, 1.0, 1e-5, 0, quantile, Conversion.IMPROVED);
  }

  static DifferentialPrivacy dp(DifferentialPrivacy.Mode mode, double z, double quantile, int m) {
    return DifferentialPrivacy.wrap(
        Strategies.create("fedavg", StrategyOptions.defaults()), settings(mode, z, quantile), m, NOISE);
  }

  @Test
  void distributedAggregationSumsNoisedSharesWithoutClippingThemAgain() {
    // A node's update arrives clipped to S = 1 and then noised: its norm exceeds S. Clipping it
    // again would shrink signal and noise alike; the aggregator must sum it as it is.
    UpdateAggregator agg = dp(DifferentialPrivacy.Mode.DISTRIBUTED, 1.0, Double.NaN, 2)
        .newAggregator(LAYOUT, new RoundShape(2, 2, 2));
    agg.add("a", ModelWeights.of(LAYOUT, new float[] {3f, 4f}), 10);
    agg.add("b", ModelWeights.of(LAYOUT, new float[] {1f, 0f}), 10);
    assertEquals(ModelWeights.of(LAYOUT, new float[] {2f, 2f}), agg.result(), "(3+1)/2, (4+0)/2");
  }

  @Test
  void centralAggregationClipsEachUpdateToTheClipNorm() {
    DpMeanAggregator agg = new DpMeanAggregator(LAYOUT, 1.0, 0, 1, NOISE);
    agg.add("a", ModelWeights.of(LAYOUT, new float[] {3f, 4f}), 10);
    assertEquals(ModelWeights.of(LAYOUT, new float[] {0.6f, 0.8f}), agg.result());
  }

  @Test
  void wrappingAMeanBasedStrategyIsDpFedAvgAroundItsOptimizerAndSettings() {
    byte[] key = new byte[32];
    key[0] = 7;
    Strategy fedprox = Strategies.create("fedprox", StrategyOptions.defaults().withMu(0.3));
    Strategy wrapped = DifferentialPrivacy.wrap(
        fedprox, settings(DifferentialPrivacy.Mode.CENTRAL, 1.5, Double.NaN), 3, GaussianNoise.withKey(key));
    RoundShape round = new RoundShape(10, 3, 2);

    // The wrapped strategy's name, optimizer, mu and partial-work rule, plus the clip norm.
    assertEquals("fedprox", wrapped.name());
    assertEquals(fedprox.describe(), wrapped.describe());
    assertEquals("sgd", wrapped.newServerOptimizer().name());
    assertTrue(wrapped.acceptsPartialWork());
    assertEquals(TRAIN.withMu(0.3).withPrivacy(1.0, 0), wrapped.configureTrain(TRAIN, round));

    // The aggregate is DP-FedAvg's, bit for bit: clip to S = 1, sum, N(0, (zS)^2) from the same
    // noise stream, divide by the m = 3 planned participants (McMahan et al. 2018, Algorithm 1).
    UpdateAggregator viaWrapper = wrapped.newAggregator(LAYOUT, round);
    UpdateAggregator direct = new DpMeanAggregator(
        LAYOUT, 1.0, DpFedAvg.centralNoiseStd(1.5, 1.0), 3, GaussianNoise.withKey(key));
    for (UpdateAggregator agg : List.of(viaWrapper, direct)) {
      agg.add("a", ModelWeights.of(LAYOUT, new float[] {3f, 4f}), 10);
      agg.add("b", ModelWeights.of(LAYOUT, new float[] {0.1f, -0.2f}), 500);
    }
    assertEquals(direct.result(), viaWrapper.result());

    // The accountant records the round at q = sampled / available = 0.3 with z = 1.5.
    assertEquals(0.0, wrapped.epsilonSpent());
    assertNull(wrapped.vetoRound(round), "no budget: never vetoed");
    wrapped.roundCompleted(round, 2, 1);
    PrivacyAccountant expected = PrivacyAccountant.empty().compose(0.3, 1.5, 1);
    assertEquals(expected, wrapped.privacyState().accountant());
    assertEquals(expected.epsilon(1e-5, Conversion.IMPROVED).epsilon(), wrapped.epsilonSpent());
    assertNull(wrapped.privacyState().clipping(), "fixed clipping");
  }

  @Test
  void everyRobustStrategyIsRefusedWithWhatToDoInstead() {
    for (String robust : List.of("median", "trimmed-mean", "krum")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> DifferentialPrivacy.wrap(Strategies.create(robust, StrategyOptions.defaults()),
              settings(DifferentialPrivacy.Mode.CENTRAL, 1, Double.NaN), 2, NOISE));
      assertTrue(e.getMessage().contains("'" + robust + "' does not aggregate by a mean"), e.getMessage());
      assertTrue(e.getMessage().contains("use a mean-based strategy (fedavg, fedprox, fedavgm, fedadam,"
          + " fedyogi, fedadagrad"), e.getMessage());
      assertTrue(e.getMessage().contains("or run without differential privacy"), e.getMessage());
    }
  }

  @Test
  void aPrivateStrategyIsNotWrappedTwice() {
    DifferentialPrivacy once = dp(DifferentialPrivacy.Mode.CENTRAL, 1.0, Double.NaN, 2);
    assertFalse(once.aggregatesByMean());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DifferentialPrivacy.wrap(once, settings(DifferentialPrivacy.Mode.CENTRAL, 1, Double.NaN), 2, NOISE));
    assertTrue(e.getMessage().contains("differentially private already"), e.getMessage());
  }

  /** A strategy that is in no list: only its own declaration says whether DP may wrap it. */
  static class CustomMean implements Strategy {
    private final boolean declaresMean;

    CustomMean(boolean declaresMean) {
      this.declaresMean = declaresMean;
    }

    @Override
    public String name() {
      return "my-mean";
    }

    @Override
    public String describe() {
      return "my-mean()";
    }

    @Override
    public UpdateAggregator newAggregator(ModelLayout layout, RoundShape round) {
      return new StreamingFedAvg(layout);
    }

    @Override
    public ServerOptimizer newServerOptimizer() {
      return new ServerSgd(1.0);
    }

    @Override
    public double proximalMu() {
      return 0;
    }

    @Override
    public boolean acceptsPartialWork() {
      return false;
    }

    @Override
    public boolean aggregatesByMean() {
      return declaresMean;
    }
  }

  @Test
  void aNewStrategyThatDeclaresAMeanIsWrappedWithoutEditingAnyList() {
    Strategy wrapped = DifferentialPrivacy.wrap(new CustomMean(true),
        settings(DifferentialPrivacy.Mode.CENTRAL, 1.0, Double.NaN), 2, NOISE);
    assertEquals("my-mean", wrapped.name());
    UpdateAggregator agg = wrapped.newAggregator(LAYOUT, new RoundShape(4, 2, 1));
    assertInstanceOf(DpMeanAggregator.class, agg);

    // The same strategy without the declaration (the default) is refused.
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DifferentialPrivacy.wrap(new CustomMean(false),
            settings(DifferentialPrivacy.Mode.CENTRAL, 1.0, Double.NaN), 2, NOISE));
    assertTrue(e.getMessage().contains("'my-mean' does not aggregate by a mean"), e.getMessage());
  }

  /** A mean-based strategy with hooks of its own: a round budget and a count of finished rounds. */
  static final class CountingMean extends CustomMean {
    int completed;

    CountingMean() {
      super(true);
    }

    @Override
    public String vetoRound(RoundShape next) {
      return completed >= 2 ? "two rounds are the plan" : null;
    }

    @Override
    public void roundCompleted(RoundShape round, int contributing, int withinClipNorm) {
      completed++;
    }
  }

  @Test
  void theWrapperKeepsTheWrappedStrategysVetoAndRoundHook() {
    CountingMean inner = new CountingMean();
    Strategy wrapped = DifferentialPrivacy.wrap(inner,
        settings(DifferentialPrivacy.Mode.CENTRAL, 1.0, Double.NaN), 2, NOISE);
    RoundShape round = new RoundShape(4, 2, 1);
    assertNull(wrapped.vetoRound(round));
    wrapped.roundCompleted(round, 2, 2);
    wrapped.roundCompleted(round, 2, 2);
    assertEquals(2, inner.completed, "the wrapped strategy saw both rounds");
    assertEquals("two rounds are the plan", wrapped.vetoRound(round));
    assertTrue(wrapped.epsilonSpent() > 0, "and the accountant recorded them too");
  }

  @Test
  void adaptiveClipNormShrinksWhenEveryUpdateIsWithinIt() {
    // m = 2: count noise sigma_b = m / 20 = 0.1 (Andrew et al.'s recommendation), so z < 0.2.
    DifferentialPrivacy dp = dp(DifferentialPrivacy.Mode.CENTRAL, 0.1, 0.5, 2);
    double before = dp.clipNorm();
    dp.roundCompleted(new RoundShape(4, 2, 2), 2, 2); // q = 0.5, both unclipped: b close to 1 > gamma = 0.5
    assertTrue(dp.clipNorm() < before, before + " -> " + dp.clipNorm());
    // C exp(-eta (b - gamma)) with b = 1 +- noise/2: about C * exp(-0.1)
    assertEquals(before * Math.exp(-0.1), dp.clipNorm(), 0.1);
    assertEquals(dp.clipNorm(), dp.privacyState().clipping().clipNorm(), "the checkpoint carries the clip norm");
  }

  @Test
  void adaptiveClippingThatCannotFitTheBudgetSaysWhatToChange() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> dp(DifferentialPrivacy.Mode.CENTRAL, 1.0, 0.5, 10));
    assertTrue(e.getMessage().contains("more nodes per round"), e.getMessage());
  }
}
