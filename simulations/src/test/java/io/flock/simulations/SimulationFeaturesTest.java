package io.flock.simulations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flock.actors.coordinator.RoundReport;
import io.flock.actors.protocol.DropoutReason;
import io.flock.models.aggregation.DifferentialPrivacy;
import io.flock.models.aggregation.StrategyOptions;
import io.flock.privacy.dp.Conversion;
import io.flock.privacy.dp.PrivacyAccountant;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Strategies, differential privacy, stragglers and poisoning, end to end in small real runs. */
class SimulationFeaturesTest {

  static SimulationConfig.Builder small() {
    return SimulationConfig.defaults().toBuilder().nodes(10).fraction(0.5).rounds(3).seed(11)
        .roundTimeout(Duration.ofMinutes(2)).targetAccuracy(0).trainLimit(2000);
  }

  @Test
  void privacyBudgetStopsTrainingBeforeEpsilonWouldExceedIt() throws Exception {
    // z = 1.0 at q = 0.5: allow exactly two rounds' worth of epsilon
    double two = PrivacyAccountant.empty().compose(0.5, 1.0, 2).epsilon(1e-5).epsilon();
    SimulationConfig c = small().rounds(10).dp(new DpConfig(DifferentialPrivacy.Mode.CENTRAL, two * 1.0001,
        1e-5, 1.0, 1.0, Double.NaN, Conversion.IMPROVED)).build();
    SimulationResult r = Simulation.run(c, SimulationMnistTest.ACTORS, x -> {});
    assertEquals(2, r.reports().size());
    assertTrue(r.reports().get(0).epsilon() < r.reports().get(1).epsilon());
    assertEquals(two, r.finished().epsilon(), 1e-9);
    assertTrue(r.finished().reason().startsWith("privacy budget reached"), r.finished().reason());
  }

  @Test
  void calibratedNoiseSpendsTheBudgetOverThePlannedRounds() throws Exception {
    SimulationConfig c = small().dp(new DpConfig(DifferentialPrivacy.Mode.DISTRIBUTED, 4.0, 1e-5, 0, 0.5,
        Double.NaN, Conversion.IMPROVED)).build();
    Simulation.Prepared p = Simulation.prepare(c);
    double spent = PrivacyAccountant.empty().compose(0.5, p.noiseMultiplier(), 3).epsilon(1e-5).epsilon();
    assertTrue(spent <= 4.0 && spent > 3.99, "epsilon after the planned rounds: " + spent);
    SimulationResult r = Simulation.run(p, SimulationMnistTest.ACTORS, x -> {});
    assertEquals(3, r.reports().size());
    assertTrue(r.finished().epsilon() <= 4.0);
  }

  @Test
  void fedAvgDropsSimulatedStragglersWhileFedProxKeepsTheirWork() throws Exception {
    SimulationConfig.Builder base = SimulationConfig.defaults().toBuilder().model("logistic").dataset("synthetic")
        .nodes(30).fraction(1 / 3.0).rounds(2).localEpochs(3).learningRate(0.01).seed(5).minNodes(1)
        .minFraction(0).targetAccuracy(0).stragglers(0.5);
    SimulationResult fedAvg = Simulation.run(base.strategy("fedavg").build(), SimulationMnistTest.ACTORS, x -> {});
    SimulationResult fedProx = Simulation.run(base.strategy("fedprox")
        .strategyOptions(StrategyOptions.defaults().withMu(1.0)).build(), SimulationMnistTest.ACTORS, x -> {});
    for (RoundReport r : fedAvg.reports()) {
      assertEquals(5, r.dropouts().size(), r.dropouts().toString());
      assertTrue(r.dropouts().stream().allMatch(d -> d.reason() == DropoutReason.STRAGGLER));
      assertEquals(5, r.nodesParticipating());
    }
    for (RoundReport r : fedProx.reports()) {
      assertEquals(List.of(), r.dropouts());
      assertEquals(10, r.nodesParticipating());
    }
  }

  @Test
  void trimmedMeanResistsSignFlippingAttackersThatBreakFedAvg() throws Exception {
    SimulationConfig.Builder attacked = small().nodes(20).fraction(0.5).rounds(3).attackers(0.2).minNodes(1)
        .minFraction(0).trainLimit(4000);
    SimulationResult fedAvg = Simulation.run(attacked.build(), SimulationMnistTest.ACTORS, x -> {});
    SimulationResult trimmed = Simulation.run(attacked.strategy("trimmed-mean")
        .strategyOptions(StrategyOptions.defaults().withTrim(0.3)).build(), SimulationMnistTest.ACTORS, x -> {});
    assertTrue(trimmed.finished().finalAccuracy() > 0.7, "trimmed mean: " + trimmed.finished().finalAccuracy());
    assertTrue(fedAvg.finished().finalAccuracy() < trimmed.finished().finalAccuracy() - 0.2,
        "fedavg " + fedAvg.finished().finalAccuracy() + " vs trimmed " + trimmed.finished().finalAccuracy());
  }

  @Test
  void federatedEvaluationCombinesTheNodesOwnHeldOutResults() throws Exception {
    SimulationConfig c = small().rounds(2).federatedEval(true).build();
    SimulationResult r = Simulation.run(c, SimulationMnistTest.ACTORS, x -> {});
    for (RoundReport report : r.reports()) {
      assertEquals(5, report.federatedNodes(), "C = 0.5 of 10 nodes evaluate");
      assertTrue(report.federatedAccuracy() > 0.5 && report.federatedAccuracy() <= 1, report.toString());
      assertTrue(Double.isFinite(report.federatedLoss()));
      assertTrue(Double.isFinite(report.accuracy()), "the central test-set evaluation still runs");
    }
  }
}
