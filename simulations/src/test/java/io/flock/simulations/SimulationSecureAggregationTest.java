package io.flock.simulations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flock.actors.coordinator.RoundReport;
import io.flock.models.aggregation.DifferentialPrivacy;
import io.flock.privacy.dp.Conversion;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code --secure-aggregation} end to end in small real runs (logistic regression on the FedProx
 * synthetic data, no download), and what it refuses.
 */
class SimulationSecureAggregationTest {

  private static SimulationConfig.Builder synthetic() {
    return SimulationConfig.defaults().toBuilder().model("logistic").dataset("synthetic").nodes(30).fraction(1 / 3.0)
        .rounds(5).localEpochs(1).learningRate(0.01).seed(3).minNodes(2).minFraction(0.5).targetAccuracy(0);
  }

  /**
   * MNIST 2NN on 10 IID nodes of 200 samples each (a 2,000-sample slice), 5 of them per round: with
   * equal sample counts FedAvg's weighted mean is the unweighted one, so secure aggregation differs
   * only by the per-coordinate clip and the quantization, and the accuracy should barely move.
   */
  @Test
  void securelyAggregatedMnistRunReachesTheAccuracyOfThePlainRun() throws Exception {
    SimulationConfig.Builder small = SimulationFeaturesTest.small();
    SimulationResult plain = Simulation.run(small.build(), SimulationMnistTest.ACTORS, r -> {});
    SimulationResult secure = Simulation.run(small.secureAggregation(SecaggOptions.defaults()).build(),
        SimulationMnistTest.ACTORS, r -> {});
    double a = plain.finished().finalAccuracy();
    double b = secure.finished().finalAccuracy();
    assertEquals(3, secure.reports().size());
    for (int i = 0; i < 3; i++) {
      RoundReport r = secure.reports().get(i);
      assertTrue(r.completed(), r.toString());
      assertEquals(5, r.nodesParticipating());
      assertEquals(List.of(), r.dropouts());
      assertEquals(plain.reports().get(i).samplesProcessed(), r.samplesProcessed(), "sample counts are reported");
    }
    assertTrue(b > 0.7, "the secure run learns: " + b);
    assertEquals(a, b, 0.02, "equal sample counts: only clipping and quantization differ");
  }

  @Test
  void secureAggregationIsRefusedWithRulesThatNeedEveryUpdate() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> synthetic().strategy("median").secureAggregation(SecaggOptions.defaults()).build());
    assertTrue(e.getMessage().contains("not supported with --strategy median"), e.getMessage());
  }

  @Test
  void secureAggregationIsRefusedWithDifferentialPrivacyUntilDesigned() {
    var e = assertThrows(IllegalArgumentException.class, () -> synthetic().secureAggregation(SecaggOptions.defaults())
        .dp(new DpConfig(DifferentialPrivacy.Mode.CENTRAL, 4.0, 1e-5, 0, 1.0, Double.NaN, Conversion.IMPROVED))
        .build());
    assertTrue(e.getMessage().contains("differential privacy") && e.getMessage().contains("not supported yet"),
        e.getMessage());
  }

  @Test
  void secureAggregationIsRefusedWhenARoundSamplesFewerThanTwoNodes() {
    var e = assertThrows(IllegalArgumentException.class, () -> synthetic().nodes(10).fraction(0.1).minNodes(1)
        .secureAggregation(SecaggOptions.defaults()).build());
    assertTrue(e.getMessage().contains("at least 2 sampled nodes"), e.getMessage());
  }

  @Test
  void thresholdOfAtMostHalfTheDegreeIsRefused() {
    // 10 sampled nodes: the complete graph, k = 9, t must be in [5, 9]
    var e = assertThrows(IllegalArgumentException.class,
        () -> synthetic().secureAggregation(new SecaggOptions(0, 4, 1.0)).build());
    assertTrue(e.getMessage().contains("--secagg-threshold must be in (k/2, k] = [5, 9]"), e.getMessage());
    var odd = assertThrows(IllegalArgumentException.class,
        () -> synthetic().secureAggregation(new SecaggOptions(5, 0, 1.0)).build());
    assertTrue(odd.getMessage().contains("--secagg-degree must be even"), odd.getMessage());
  }
}
