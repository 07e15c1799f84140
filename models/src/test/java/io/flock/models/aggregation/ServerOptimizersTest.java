package io.flock.models.aggregation;

import static io.flock.models.aggregation.Updates.LAYOUT;
import static io.flock.models.aggregation.Updates.assertClose;
import static io.flock.models.aggregation.Updates.w;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import io.flock.models.weights.ModelLayout;
import io.flock.models.weights.ModelWeights;
import io.flock.models.weights.ParamSpec;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Server optimizers, two hand-computed steps each: plain SGD / FedAvg (McMahan et al. 2017),
 * FedAvgM (Hsu et al. 2019) and FedAdagrad / FedAdam / FedYogi (Reddi et al. 2021, Algorithm 2:
 * m_{-1} = 0, v_{-1} = tau^2, no bias correction).
 */
class ServerOptimizersTest {

  @Test
  void plainStepIsGlobalPlusEtaTimesDelta() {
    ServerSgd sgd = new ServerSgd(0.5);
    // x1 = (1, 2) + 0.5 * (2, -4) = (2, 0)
    ModelWeights x1 = sgd.step(w(1, 2), w(2, -4));
    assertEquals(w(2, 0), x1);
    // x2 = (2, 0) + 0.5 * (1, 1) = (2.5, 0.5): no memory of step 1
    assertEquals(w(2.5f, 0.5f), sgd.step(x1, w(1, 1)));
    assertEquals(2, sgd.steps());
  }

  @Test
  void fedAvgIsTheServerStepWithEtaOne() {
    assertEquals(w(3, -1), new ServerSgd(1.0).step(w(1, 1), w(2, -2)));
  }

  @Test
  void fedAvgMAccumulatesVelocityAsHsuEtAl() {
    ServerMomentum opt = new ServerMomentum(0.5, 0.5);
    // v0 = 0.5 * 0 + (2, -4) = (2, -4); x1 = (1, 2) + 0.5 * v0 = (2, 0)
    ModelWeights x1 = opt.step(w(1, 2), w(2, -4));
    assertEquals(w(2, 0), x1);
    // v1 = 0.5 * (2, -4) + (2, 4) = (3, 2); x2 = (2, 0) + 0.5 * v1 = (3.5, 1)
    assertEquals(w(3.5f, 1), opt.step(x1, w(2, 4)));
    assertEquals(w(3, 2), opt.snapshot().slots().get("momentum"));
  }

  @Test
  void fedAdagradFollowsAlgorithm2() {
    // eta = 1, beta1 = 0.5, tau = 0.75, so v_{-1} = 0.5625
    AdaptiveServerOptimizer opt = AdaptiveServerOptimizer.fedAdagrad(1, 0.5, 0.75);
    // m0 = 0.5 * (1, -1) = (0.5, -0.5); v0 = 0.5625 + 1 = 1.5625 = 1.25^2, both coordinates;
    // x1 = (0, 10) + (0.5, -0.5) / (1.25 + 0.75) = (0.25, 9.75)
    ModelWeights x1 = opt.step(w(0, 10), w(1, -1));
    assertEquals(w(0.25f, 9.75f), x1);
    // m1 = 0.5 * (0.5, -0.5) + 0.5 * (3, 0) = (1.75, -0.25); v1 = (1.5625 + 9, 1.5625 + 0)
    // = (3.25^2, 1.25^2); x2 = (0.25 + 1.75 / 4, 9.75 - 0.25 / 2) = (0.6875, 9.625)
    assertEquals(w(0.6875f, 9.625f), opt.step(x1, w(3, 0)));
    assertEquals(w(1.75f, -0.25f), opt.snapshot().slots().get("m"));
    assertEquals(w(10.5625f, 1.5625f), opt.snapshot().slots().get("v"));
  }

  @Test
  void fedAdamFollowsAlgorithm2WithoutBiasCorrection() {
    // eta = 1, beta1 = 0.5, beta2 = 0.5, tau = 1, so v_{-1} = 1
    AdaptiveServerOptimizer opt = AdaptiveServerOptimizer.fedAdam(1, 0.5, 0.5, 1);
    // m0 = 0.5 * (1, 7) = (0.5, 3.5); v0 = 0.5 * 1 + 0.5 * (1, 49) = (1, 25);
    // x1 = (0.5 / (1 + 1), 3.5 / (5 + 1)) = (0.25, 7/12)
    ModelWeights x1 = opt.step(w(0, 0), w(1, 7));
    assertClose(0.25f, 7f / 12, x1);
    // m1 = 0.5 * (0.5, 3.5) + 0.5 * (7, -5) = (3.75, -0.75); v1 = 0.5 * (1, 25) + 0.5 * (49, 25)
    // = (25, 25); x2 = (0.25 + 3.75 / 6, 7/12 - 0.75 / 6) = (0.875, 11/24)
    assertClose(0.875f, 11f / 24, opt.step(x1, w(7, -5)));
    assertEquals(w(3.75f, -0.75f), opt.snapshot().slots().get("m"));
    assertEquals(w(25, 25), opt.snapshot().slots().get("v"));
  }

  @Test
  void fedYogiFollowsAlgorithm2IncludingSignZero() {
    // eta = 1, beta1 = 0.5, beta2 = 0.75, tau = 3, so v_{-1} = 9
    AdaptiveServerOptimizer opt = AdaptiveServerOptimizer.fedYogi(1, 0.5, 0.75, 3);
    // Delta0 = (3, 8): v0 = 9 - 0.25 * 9 * sign(9 - 9) = 9 (sign 0);
    // v0' = 9 - 0.25 * 64 * sign(9 - 64) = 9 + 16 = 25. m0 = (1.5, 4).
    // x1 = (1.5 / (3 + 3), 4 / (5 + 3)) = (0.25, 0.5)
    ModelWeights x1 = opt.step(w(0, 0), w(3, 8));
    assertEquals(w(0.25f, 0.5f), x1);
    // Delta1 = (0, -2.8): v1 = 9 - 0 = 9; v1' = 25 - 0.25 * 7.84 * sign(25 - 7.84) = 23.04 = 4.8^2
    // m1 = 0.5 * (1.5, 4) + 0.5 * (0, -2.8) = (0.75, 0.6)
    // x2 = (0.25 + 0.75 / 6, 0.5 + 0.6 / 7.8) = (0.375, 0.5 + 1/13)
    assertClose(0.375f, 0.5f + 1f / 13, opt.step(x1, w(0, -2.8f)));
    assertClose(0.75f, 0.6f, opt.snapshot().slots().get("m"));
    assertClose(9f, 23.04f, opt.snapshot().slots().get("v"));
  }

  @Test
  void yogiAndAdamDifferOnTheSameFirstStep() {
    // Adam: v0 = 0.75 * 9 + 0.25 * 64 = 22.75 where Yogi gives 25 (see above)
    AdaptiveServerOptimizer adam = AdaptiveServerOptimizer.fedAdam(1, 0.5, 0.75, 3);
    adam.step(w(0, 0), w(3, 8));
    assertClose(9f, 22.75f, adam.snapshot().slots().get("v"));
  }

  static Stream<Named<Supplier<ServerOptimizer>>> optimizers() {
    return Stream.of(
        Named.of("sgd", () -> new ServerSgd(0.5)),
        Named.of("fedavgm", () -> new ServerMomentum(0.5, 0.9)),
        Named.of("fedadagrad", () -> AdaptiveServerOptimizer.fedAdagrad(0.1, 0.5, 1e-3)),
        Named.of("fedadam", () -> AdaptiveServerOptimizer.fedAdam(0.1, 0.9, 0.99, 1e-3)),
        Named.of("fedyogi", () -> AdaptiveServerOptimizer.fedYogi(0.1, 0.9, 0.99, 1e-3)));
  }

  @ParameterizedTest
  @MethodSource("optimizers")
  void restoredStateThroughCborContinuesBitForBit(Supplier<ServerOptimizer> factory)
      throws Exception {
    ObjectMapper cbor = new ObjectMapper(new CBORFactory());
    ServerOptimizer original = factory.get();
    ModelWeights x1 = original.step(w(1, -1), w(0.3f, -0.7f));
    byte[] checkpoint = cbor.writeValueAsBytes(original.snapshot());

    ServerOptimizer restored = factory.get();
    restored.restore(cbor.readValue(checkpoint, ServerOptimizerState.class));
    assertEquals(original.snapshot(), restored.snapshot());
    assertEquals(1, restored.steps());
    assertEquals(original.step(x1, w(-0.2f, 0.1f)), restored.step(x1, w(-0.2f, 0.1f)));
  }

  @ParameterizedTest
  @MethodSource("optimizers")
  void stateOfAnotherOptimizerIsRefused(Supplier<ServerOptimizer> factory) {
    ServerOptimizer opt = factory.get();
    ServerOptimizerState foreign = new ServerOptimizerState("something-else", 3, Map.of());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> opt.restore(foreign));
    assertTrue(e.getMessage().contains("'something-else'"), e.getMessage());
    assertEquals(0, opt.steps());
  }

  @ParameterizedTest
  @MethodSource("optimizers")
  void mismatchedOrNonFiniteInputsAreRejectedWithoutChangingState(
      Supplier<ServerOptimizer> factory) {
    ServerOptimizer opt = factory.get();
    opt.step(w(1, 1), w(0.5f, 0.5f));
    ServerOptimizerState before = opt.snapshot();
    ModelLayout other = new ModelLayout(List.of(ParamSpec.of("w", 3)));
    assertThrows(
        IllegalArgumentException.class, () -> opt.step(w(1, 1), ModelWeights.zeros(other)));
    if (!before.slots().isEmpty()) { // state of one layout cannot step a model of another
      assertThrows(
          IllegalArgumentException.class,
          () -> opt.step(ModelWeights.zeros(other), ModelWeights.zeros(other)));
    }
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> opt.step(w(1, 1), w(Float.NaN, 0)));
    assertTrue(e.getMessage().contains("non-finite value (NaN) at index 0"), e.getMessage());
    assertEquals(before, opt.snapshot());
  }

  @Test
  void hyperparametersAreValidatedWithTheRule() {
    assertMessage("beta1 must be in [0, 1), was 1.5",
        () -> AdaptiveServerOptimizer.fedAdam(0.1, 1.5, 0.99, 1e-3));
    assertMessage("beta2 must be in [0, 1), was -0.1",
        () -> AdaptiveServerOptimizer.fedYogi(0.1, 0.9, -0.1, 1e-3));
    assertMessage("tau must be > 0 and finite, was 0.0",
        () -> AdaptiveServerOptimizer.fedAdagrad(0.1, 0.0, 0));
    assertMessage("serverLr must be > 0 and finite, was NaN", () -> new ServerSgd(Double.NaN));
    assertMessage("serverLr must be > 0 and finite, was -1.0", () -> new ServerMomentum(-1, 0.9));
    assertMessage("momentum (beta1) must be in [0, 1), was 1.0", () -> new ServerMomentum(1, 1));
  }

  @Test
  void snapshotBeforeTheFirstStepHasNoSlots() {
    ServerOptimizerState s = AdaptiveServerOptimizer.fedAdam(0.1, 0.9, 0.99, 1e-3).snapshot();
    assertEquals(new ServerOptimizerState("fedadam", 0, Map.of()), s);
  }

  @Test
  void negativeSecondMomentInAStateIsRefused() {
    ServerOptimizerState bad =
        new ServerOptimizerState("fedadam", 1, Map.of("m", w(0, 0), "v", w(1, -1)));
    assertMessage("fedadam state slot 'v' must be >= 0 and finite, was -1.0 at index 1",
        () -> AdaptiveServerOptimizer.fedAdam(0.1, 0.9, 0.99, 1e-3).restore(bad));
  }

  private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable e) {
    assertEquals(expected, assertThrows(IllegalArgumentException.class, e).getMessage());
  }
}
