package io.flock.models.aggregation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import io.flock.models.weights.ParamSpec;
import io.flock.privacy.dp.Conversion;
import io.flock.privacy.dp.GaussianNoise;
import java.util.List;
import org.junit.jupiter.api.Test;

class DifferentialPrivacyTest {

  static final ModelLayout LAYOUT = new ModelLayout(List.of(ParamSpec.of("w", 2)));
  static final GaussianNoise NOISE = GaussianNoise.withKey(new byte[32]);

  static DifferentialPrivacy dp(DifferentialPrivacy.Mode mode, double z, double quantile, int m) {
    return new DifferentialPrivacy(
        new DifferentialPrivacy.Settings(mode, z, 1.0, 1e-5, 0, quantile, Conversion.IMPROVED),
        Strategies.create("fedavg", StrategyOptions.defaults()), m, NOISE);
  }

  @Test
  void distributedAggregationSumsNoisedSharesWithoutClippingThemAgain() {
    // A node's update arrives clipped to S = 1 and then noised: its norm exceeds S. Clipping it
    // again would shrink signal and noise alike; the aggregator must sum it as it is.
    UpdateAggregator agg = dp(DifferentialPrivacy.Mode.DISTRIBUTED, 1.0, Double.NaN, 2).newAggregator(LAYOUT, 2);
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
  void adaptiveClipNormShrinksWhenEveryUpdateIsWithinIt() {
    // m = 2: count noise sigma_b = m / 20 = 0.1 (Andrew et al.'s recommendation), so z < 0.2.
    DifferentialPrivacy dp = dp(DifferentialPrivacy.Mode.CENTRAL, 0.1, 0.5, 2);
    double before = dp.clipNorm();
    dp.recordRound(0.5, 2, 2, 2, 2); // both unclipped: b close to 1 > gamma = 0.5
    assertTrue(dp.clipNorm() < before, before + " -> " + dp.clipNorm());
    // C exp(-eta (b - gamma)) with b = 1 +- noise/2: about C * exp(-0.1)
    assertEquals(before * Math.exp(-0.1), dp.clipNorm(), 0.1);
  }

  @Test
  void adaptiveClippingThatCannotFitTheBudgetSaysWhatToChange() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> dp(DifferentialPrivacy.Mode.CENTRAL, 1.0, 0.5, 10));
    assertTrue(e.getMessage().contains("more nodes per round"), e.getMessage());
  }
}
