package io.flock.models.aggregation;

import static io.flock.models.aggregation.Updates.LAYOUT;
import static io.flock.models.aggregation.Updates.w;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flock.models.training.TrainConfig;
import io.flock.models.weights.ModelWeights;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StrategiesTest {

  /** A round of 4 sampled out of 10, quorum 2; the plain strategies ignore it. */
  static final RoundShape ROUND = new RoundShape(10, 4, 2);

  private static Strategy create(String name) {
    return Strategies.create(name, StrategyOptions.defaults());
  }

  @Test
  void everyCliNameBuildsItsAggregatorAndOptimizer() {
    assertParts("fedavg", StreamingFedAvg.class, "sgd");
    assertParts("fedprox", StreamingFedAvg.class, "sgd");
    assertParts("fedavgm", StreamingFedAvg.class, "fedavgm");
    assertParts("fedadam", StreamingFedAvg.class, "fedadam");
    assertParts("fedyogi", StreamingFedAvg.class, "fedyogi");
    assertParts("fedadagrad", StreamingFedAvg.class, "fedadagrad");
    assertParts("median", CoordinateMedian.class, "sgd");
    assertParts("trimmed-mean", TrimmedMean.class, "sgd");
    assertParts("krum", Krum.class, "sgd");
    assertEquals(9, Strategies.NAMES.size());
  }

  @Test
  void theMeanBasedStrategiesDeclareItThemselvesAndTheRobustOnesDoNot() {
    assertEquals(
        java.util.List.of("fedavg", "fedprox", "fedavgm", "fedadam", "fedyogi", "fedadagrad"),
        Strategies.meanBased());
    for (String robust : java.util.List.of("median", "trimmed-mean", "krum")) {
      assertFalse(create(robust).aggregatesByMean(), robust);
    }
  }

  private static void assertParts(String name, Class<?> aggregator, String optimizer) {
    Strategy s = create(name);
    assertEquals(name, s.name());
    assertInstanceOf(aggregator, s.newAggregator(LAYOUT, ROUND), name);
    assertEquals(optimizer, s.newServerOptimizer().name(), name);
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    assertEquals("fedavg(serverLr=1.0)", create("fedavg").describe());
    assertEquals("fedprox(serverLr=1.0, mu=0.01)", create("fedprox").describe());
    assertEquals("fedavgm(serverLr=0.1, beta1=0.9)", create("fedavgm").describe());
    assertEquals(
        "fedadam(serverLr=0.01, beta1=0.9, beta2=0.99, tau=0.001)", create("fedadam").describe());
    assertEquals(
        "fedyogi(serverLr=0.01, beta1=0.9, beta2=0.99, tau=0.001)", create("fedyogi").describe());
    assertEquals("fedadagrad(serverLr=0.01, beta1=0.0, tau=0.001)", create("fedadagrad").describe());
    assertEquals("median(serverLr=1.0)", create("median").describe());
    assertEquals("trimmed-mean(trim=0.2, serverLr=1.0)", create("trimmed-mean").describe());
    assertEquals("krum(byzantine=0, multiKrum=1, serverLr=1.0)", create("krum").describe());
  }

  @Test
  void optionsOverrideTheDefaults() {
    StrategyOptions o = StrategyOptions.defaults().withServerLr(0.5).withBeta1(0.8).withTau(0.1);
    assertEquals(
        "fedyogi(serverLr=0.5, beta1=0.8, beta2=0.99, tau=0.1)",
        Strategies.create("fedyogi", o).describe());
    Krum krum =
        (Krum)
            Strategies.create("krum", StrategyOptions.defaults().withByzantine(2).withMultiKrum(3))
                .newAggregator(LAYOUT, ROUND);
    assertEquals(2, krum.byzantine());
    assertEquals(3, krum.selectCount());
    assertEquals(0.3, ((TrimmedMean) Strategies.create("trimmed-mean",
        StrategyOptions.defaults().withTrim(0.3)).newAggregator(LAYOUT, ROUND)).beta());
  }

  @Test
  void fedAvgRoundMovesTheGlobalModelByTheWeightedMean() {
    Strategy s = create("fedavg");
    ServerOptimizer opt = s.newServerOptimizer();
    UpdateAggregator agg = s.newAggregator(LAYOUT, ROUND);
    agg.add("a", w(2, 0), 100);
    agg.add("b", w(4, 6), 300);
    // mean: ((200 + 1200) / 400, (0 + 1800) / 400) = (3.5, 4.5); x = (1, 1) + mean
    assertEquals(w(4.5f, 5.5f), opt.step(w(1, 1), agg.result()));
  }

  @Test
  void medianRoundIgnoresTheAttacker() {
    Strategy s = create("median");
    UpdateAggregator agg = s.newAggregator(LAYOUT, ROUND);
    Updates.addHonestAndAttacker(agg);
    assertEquals(w(1.0f, -0.9f), s.newServerOptimizer().step(w(0, 0), agg.result()));
  }

  @Test
  void fedProxSendsMuToNodesAndAcceptsPartialWork() {
    TrainConfig base = new TrainConfig(5, 10, 0.1, 0, 0, 0, 0);
    Strategy prox = Strategies.create("fedprox", StrategyOptions.defaults().withMu(0.1));
    assertEquals(0.1, prox.configureTrain(base, ROUND).mu());
    assertEquals(5, prox.configureTrain(base, ROUND).localEpochs());
    assertTrue(prox.acceptsPartialWork());
    Strategy avg = create("fedavg");
    assertEquals(0.0, avg.configureTrain(base.withMu(0.5), ROUND).mu());
    assertFalse(avg.acceptsPartialWork());
  }

  @Test
  void eachRunGetsItsOwnOptimizerState() {
    Strategy s = create("fedadam");
    ServerOptimizer one = s.newServerOptimizer();
    one.step(w(0, 0), w(1, 1));
    ServerOptimizer two = s.newServerOptimizer();
    assertNotSame(one, two);
    assertEquals(0, two.steps());
  }

  @Test
  void namesAreCaseInsensitive() {
    assertEquals("fedadam", Strategies.create(" FedAdam ", null).name());
  }

  @Test
  void unknownNameListsTheKnownOnes() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> create("fedsgd"));
    assertEquals(
        "unknown strategy 'fedsgd'; known strategies: fedavg, fedprox, fedavgm, fedadam, fedyogi,"
            + " fedadagrad, median, trimmed-mean, krum",
        e.getMessage());
  }

  @Test
  void anOptionTheStrategyDoesNotUseIsAnError() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Strategies.create("fedavgm", StrategyOptions.defaults().withBeta2(0.9).withTrim(0.1)));
    assertEquals(
        "option beta2 does not apply to strategy fedavgm (it applies to fedadam, fedyogi); "
            + "option trim does not apply to strategy fedavgm (it applies to trimmed-mean)",
        e.getMessage());
    assertEquals(Set.of("serverLr", "beta1", "tau"), Strategies.optionsOf("fedadagrad"));
  }

  @Test
  void badOptionValuesFailAtCreationWithTheRule() {
    assertMessage("beta1 must be in [0, 1), was 1.5", "fedadam", StrategyOptions.defaults().withBeta1(1.5));
    assertMessage("beta2 must be in [0, 1), was 1.0", "fedyogi", StrategyOptions.defaults().withBeta2(1));
    assertMessage("tau must be > 0 and finite, was -1.0", "fedadagrad", StrategyOptions.defaults().withTau(-1));
    assertMessage("serverLr must be > 0 and finite, was 0.0", "median", StrategyOptions.defaults().withServerLr(0));
    assertMessage("momentum (beta1) must be in [0, 1), was 1.0", "fedavgm", StrategyOptions.defaults().withBeta1(1));
    assertMessage("mu must be >= 0 and finite, was -0.1", "fedprox", StrategyOptions.defaults().withMu(-0.1));
    assertMessage("trim (beta) must be in [0, 0.5), was 0.5", "trimmed-mean", StrategyOptions.defaults().withTrim(0.5));
    assertMessage("byzantine (f) must be >= 0, was -1", "krum", StrategyOptions.defaults().withByzantine(-1));
    assertMessage("multi-Krum m must be >= 1 (1 = Krum), was 0", "krum", StrategyOptions.defaults().withMultiKrum(0));
  }

  private static void assertMessage(String expected, String name, StrategyOptions o) {
    assertEquals(
        expected,
        assertThrows(IllegalArgumentException.class, () -> Strategies.create(name, o)).getMessage());
  }

  @Test
  void evaluationIsWeightedByExamples() {
    EvaluationAggregator eval = create("fedavg").newEvaluationAggregator();
    eval.add("a", 1.0, 0.5, 100);
    eval.add("b", 2.0, 1.0, 300);
    // loss (100 * 1 + 300 * 2) / 400 = 1.75; accuracy (50 + 300) / 400 = 0.875
    assertEquals(new FederatedEvaluation(1.75, 0.875, 400, 2), eval.result());
  }

  @Test
  void badEvaluationReportsAreRejectedAndChangeNothing() {
    EvaluationAggregator eval = new EvaluationAggregator();
    eval.add("a", 0.5, 0.25, 4);
    assertEvalRejected(() -> eval.add("b", Double.NaN, 0.5, 10), "loss from node 'b' must be finite, was NaN");
    assertEvalRejected(() -> eval.add("b", 0.5, 1.5, 10), "accuracy from node 'b' must be in [0, 1], was 1.5");
    assertEvalRejected(() -> eval.add("b", 0.5, 0.5, 0), "numExamples from node 'b' must be > 0, was 0");
    assertEvalRejected(() -> eval.add("a", 0.5, 0.5, 10), "node 'a' already reported an evaluation");
    assertEquals(new FederatedEvaluation(0.5, 0.25, 4, 1), eval.result());
    assertThrows(IllegalStateException.class, () -> new EvaluationAggregator().result());
  }

  private static void assertEvalRejected(org.junit.jupiter.api.function.Executable e, String expected) {
    assertEquals(expected, assertThrows(IllegalArgumentException.class, e).getMessage());
  }

  @Test
  void composedStrategyMixesARobustRuleWithAnAdaptiveOptimizer() {
    Strategy s =
        new ComposedStrategy(
            "trimmed-fedadam",
            "trimmed mean + FedAdam",
            layout -> new TrimmedMean(layout, 0.2),
            () -> AdaptiveServerOptimizer.fedAdam(1, 0.5, 0.5, 1),
            0,
            false,
            false);
    UpdateAggregator agg = s.newAggregator(LAYOUT, ROUND);
    agg.add("a", w(1, 7), 1);
    ModelWeights x1 = s.newServerOptimizer().step(w(0, 0), agg.result());
    // the first FedAdam step of ServerOptimizersTest: (0.25, 7/12)
    Updates.assertClose(0.25f, 7f / 12, x1);
  }
}
