package io.flock.actors.coordinator;

import static io.flock.actors.testing.Fixtures.TRAIN;
import static io.flock.actors.testing.Fixtures.weights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flock.actors.round.RoundSettings;
import io.flock.actors.round.RoundStats;
import io.flock.models.aggregation.DifferentialPrivacy;
import io.flock.models.aggregation.PrivacyState;
import io.flock.models.aggregation.Strategies;
import io.flock.models.aggregation.StrategyOptions;
import io.flock.models.aggregation.UpdateAggregator;
import io.flock.models.weights.ModelWeights;
import io.flock.privacy.dp.Conversion;
import io.flock.privacy.dp.GaussianNoise;
import io.flock.privacy.dp.PrivacyAccountant;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The coordinator's algorithm state without an actor: strategy, server optimizer, DP, budget. */
class RoundPlannerTest {

  static final RoundSettings BASE = new RoundSettings(0.5, 1, 0.0, Duration.ofSeconds(10), TRAIN);
  static final GaussianNoise NOISE = GaussianNoise.withKey(new byte[32]);

  static DifferentialPrivacy dp(DifferentialPrivacy.Mode mode, double budget) {
    return DifferentialPrivacy.wrap(Strategies.create("fedavg", StrategyOptions.defaults()),
        new DifferentialPrivacy.Settings(mode, 1.0, 2.0, 1e-5, budget, Double.NaN, Conversion.IMPROVED), 2, NOISE);
  }

  @Test
  void fedProxSendsItsMuAndAcceptsPartialWork() {
    RoundPlanner planner = new RoundPlanner(BASE,
        Strategies.create("fedprox", StrategyOptions.defaults().withMu(0.5)));
    RoundPlanner.Plan plan = planner.plan(4);
    assertEquals(0.5, plan.settings().train().mu());
    assertTrue(plan.settings().acceptsPartialWork());
    assertTrue(Double.isNaN(planner.epsilon()));
  }

  @Test
  void distributedDpSizesEachShareSoThatTheQuorumAloneCarriesTheNoise() {
    RoundSettings allMustAnswer = new RoundSettings(0.5, 1, 1.0, Duration.ofSeconds(10), TRAIN);
    RoundPlanner planner = new RoundPlanner(allMustAnswer, dp(DifferentialPrivacy.Mode.DISTRIBUTED, 0));
    RoundPlanner.Plan plan = planner.plan(8); // C = 0.5 of 8: 4 nodes, quorum 4
    assertEquals(2.0, plan.settings().train().clipNorm());
    // z * S / sqrt(quorum) = 1.0 * 2.0 / sqrt(4) = 1.0 (McMahan et al. 2018, noise split over 4 nodes)
    assertEquals(1.0, plan.settings().train().noiseStd(), 1e-12);

    RoundPlanner anyOne = new RoundPlanner(BASE, dp(DifferentialPrivacy.Mode.DISTRIBUTED, 0));
    // quorum 1: a single contributor must carry all the noise, z * S = 2.0
    assertEquals(2.0, anyOne.plan(8).settings().train().noiseStd(), 1e-12);
  }

  @Test
  void centralDpAggregatorClipsSumsAndDividesByThePlannedCount() {
    DifferentialPrivacy noNoiseCheck = dp(DifferentialPrivacy.Mode.CENTRAL, 0);
    RoundPlanner planner = new RoundPlanner(BASE, noNoiseCheck);
    RoundPlanner.Plan plan = planner.plan(8);
    assertEquals(0.0, plan.settings().train().noiseStd(), "central: nodes add no noise");
    UpdateAggregator agg = plan.aggregatorFactory().apply(weights(0, 0, 0, 0).layout());
    agg.add("a", weights(3, 4, 0, 0), 10); // norm 5, clipped to 2: (1.2, 1.6, 0, 0)
    agg.add("b", weights(0, 0, 0, 1), 1000); // within the norm; sample count does not weigh
    ModelWeights mean = agg.result();
    // (clipped sum + N(0, (zS)^2 = 4)) / 4: the noise has std 2 / 4 = 0.5 per coordinate
    double[] expected = {1.2 / 4, 1.6 / 4, 0, 1.0 / 4};
    for (int i = 0; i < 4; i++) {
      assertTrue(Math.abs(mean.get(i) - expected[i]) < 5 * 0.5, "coordinate " + i + ": " + mean.get(i));
    }
  }

  @Test
  void budgetVetoesTheRoundThatWouldExceedItAndEpsilonGrowsPerRound() {
    // q = 0.5, z = 1: one step costs this much; allow exactly two
    double twoSteps = PrivacyAccountant.empty().compose(0.5, 1.0, 2).epsilon(1e-5).epsilon();
    RoundPlanner planner = new RoundPlanner(BASE, dp(DifferentialPrivacy.Mode.CENTRAL, twoSteps * 1.0001));
    ModelWeights global = weights(0, 0, 0, 0);
    RoundStats stats = new RoundStats(8, 4, 4, 40, 0.5, List.of(), 1, 4);
    assertNull(planner.vetoNextRound(8));
    global = planner.apply(global, weights(1, 1, 1, 1), stats);
    double afterOne = planner.epsilon();
    assertNull(planner.vetoNextRound(8));
    planner.apply(global, weights(1, 1, 1, 1), stats);
    assertTrue(planner.epsilon() > afterOne);
    assertEquals(twoSteps, planner.epsilon(), 1e-9);
    String veto = planner.vetoNextRound(8);
    assertTrue(veto != null && veto.startsWith("privacy budget reached"), veto);
  }

  @Test
  void robustStrategiesCannotBeWrappedInDifferentialPrivacy() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DifferentialPrivacy.wrap(Strategies.create("median", StrategyOptions.defaults()),
            new DifferentialPrivacy.Settings(DifferentialPrivacy.Mode.CENTRAL, 1, 1, 1e-5, 0, Double.NaN,
                Conversion.IMPROVED), 2, NOISE));
    assertTrue(e.getMessage().contains("median"), e.getMessage());
  }

  private static Checkpoint checkpointOf(RoundPlanner planner) {
    PrivacyState privacy = planner.privacyState();
    return new Checkpoint(List.of(), 2, 2, 0, 1.0, 0.5, weights(0, 0, 0, 0), planner.optimizerState(),
        privacy == null ? null : privacy.accountant(), privacy == null ? null : privacy.clipping(), List.of(),
        null, null);
  }

  @Test
  void aResumedPrivateRunContinuesTheAccountantsRecordAndBudget() {
    double twoSteps = PrivacyAccountant.empty().compose(0.5, 1.0, 2).epsilon(1e-5).epsilon();
    RoundPlanner original = new RoundPlanner(BASE, dp(DifferentialPrivacy.Mode.CENTRAL, twoSteps * 1.0001));
    RoundStats stats = new RoundStats(8, 4, 4, 40, 0.5, List.of(), 1, 4);
    original.apply(weights(0, 0, 0, 0), weights(1, 1, 1, 1), stats);
    Checkpoint afterOne = checkpointOf(original);

    RoundPlanner resumed = new RoundPlanner(BASE, dp(DifferentialPrivacy.Mode.CENTRAL, twoSteps * 1.0001));
    resumed.restore(afterOne);
    assertEquals(original.epsilon(), resumed.epsilon());
    resumed.apply(weights(1, 1, 1, 1), weights(1, 1, 1, 1), stats);
    assertEquals(twoSteps, resumed.epsilon(), 1e-9);
    assertTrue(resumed.vetoNextRound(8).startsWith("privacy budget reached"), "the budget spans the resume");
  }

  @Test
  void aCheckpointOfAnotherPrivacySettingIsRefusedAndChangesNothing() {
    RoundPlanner plain = new RoundPlanner(BASE, Strategies.create("fedavg", StrategyOptions.defaults()));
    RoundPlanner privateRun = new RoundPlanner(BASE, dp(DifferentialPrivacy.Mode.CENTRAL, 0));
    privateRun.apply(weights(0, 0, 0, 0), weights(1, 1, 1, 1), new RoundStats(8, 4, 4, 40, 0.5, List.of(), 1, 4));

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> plain.restore(checkpointOf(privateRun)));
    assertEquals("the checkpoint was made with differential privacy, this run has none", e.getMessage());
    RoundPlanner fresh = new RoundPlanner(BASE, dp(DifferentialPrivacy.Mode.CENTRAL, 0));
    e = assertThrows(IllegalArgumentException.class, () -> fresh.restore(checkpointOf(plain)));
    assertTrue(e.getMessage().startsWith("the checkpoint has no privacy accountant"), e.getMessage());
    assertEquals(0.0, fresh.epsilon(), "nothing restored");
  }

  @Test
  void aStepThatWouldMakeTheGlobalModelNonFiniteIsRefusedAndLeavesTheOptimizerAsItWas() {
    RoundPlanner planner = new RoundPlanner(BASE, Strategies.create("fedavgm", StrategyOptions.defaults()));
    ModelWeights global = weights(3.3e38f, 0, 0, 0);
    RoundStats stats = new RoundStats(8, 4, 4, 40, 0.5, List.of(), 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> planner.apply(global, weights(3e38f, 0, 0, 0), stats));
    assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> planner.apply(global, weights(Float.NaN, 0, 0, 0), stats));
    // momentum state untouched: the next regular step is the first one
    // (v = 0.9 * 0 + Delta; w += 0.1 * v)
    assertEquals(weights(3.3e38f, 0.1f, 0, 0), planner.apply(global, weights(0, 1, 0, 0), stats));
  }
}
