package io.flock.simulations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.flock.actors.coordinator.RoundReport;
import io.flock.models.zoo.ModelZoo;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A real federated run end to end: MNIST from the cache that {@code .ci/run} fills, real DJL
 * training, real actors with every message through the CBOR serializer.
 */
class SimulationMnistTest {

  public static final Config ACTORS =
      ConfigFactory.parseString(
              "pekko.actor.provider = local\n"
                  + "pekko.actor.serialize-messages = on\n"
                  + "pekko.loglevel = WARNING")
          .withFallback(ConfigFactory.load());

  static SimulationConfig small(long seed) {
    return SimulationConfig.defaults().toBuilder().nodes(10).fraction(0.5).rounds(3).seed(seed)
        .roundTimeout(Duration.ofMinutes(2)).targetAccuracy(0).trainLimit(3000).build();
  }

  @Test
  void federatedTwoNNOnMnistLearnsAndIsReproducibleFromTheSeed() throws Exception {
    SimulationResult first = Simulation.run(small(7), ACTORS, r -> {});
    List<RoundReport> reports = first.reports();
    assertEquals(3, reports.size());
    for (RoundReport r : reports) {
      assertTrue(r.completed(), r.toString());
      assertEquals(5, r.nodesParticipating());
      assertEquals(1500, r.samplesProcessed()); // 5 nodes x 300 samples x 1 epoch
      assertTrue(r.dropouts().isEmpty());
    }
    assertEquals(List.of(1, 2, 3), reports.stream().map(RoundReport::completedRounds).toList());
    assertTrue(reports.get(2).currentLoss() < reports.get(0).currentLoss(), reports.toString());
    assertTrue(first.finished().finalAccuracy() > 0.75, "accuracy " + first.finished().finalAccuracy());
    assertEquals("all 3 rounds done", first.finished().reason());

    SimulationResult second = Simulation.run(small(7), ACTORS, r -> {});
    assertEquals(first.finished().finalModel(), second.finished().finalModel());
  }

  @Test
  void targetAccuracyStopsTrainingEarly() throws Exception {
    SimulationConfig withTarget = small(3).toBuilder().rounds(50).targetAccuracy(0.5).build();
    SimulationResult result = Simulation.run(withTarget, ACTORS, r -> {});
    assertTrue(result.reports().size() < 50, "ran " + result.reports().size() + " rounds");
    assertTrue(result.finished().finalAccuracy() >= 0.5);
    assertTrue(result.finished().reason().startsWith("target accuracy"), result.finished().reason());
  }

  @Test
  void resNet18WithTheSmallImageStemTrainsAFederatedRoundOnMnist() throws Exception {
    // Two nodes, one local step each at batch 4, the global model evaluated on 20 test images:
    // the real 11.2M-parameter network end to end (forward, backward, update, FedAvg, evaluation).
    SimulationConfig c = SimulationConfig.defaults().toBuilder().model(ModelZoo.RESNET18).nodes(2).fraction(1.0)
        .rounds(1).seed(5).minNodes(2).minFraction(1.0).targetAccuracy(0).trainLimit(40).testLimit(20)
        .batchSize(4).maxSteps(1).learningRate(0.01).roundTimeout(Duration.ofMinutes(3)).build();
    SimulationResult r = Simulation.run(c, ACTORS, x -> {});
    assertEquals(1, r.finished().completedRounds(), r.reports().toString());
    assertEquals(2, r.reports().get(0).nodesParticipating());
    assertTrue(Double.isFinite(r.finished().finalLoss()), "loss " + r.finished().finalLoss());
  }
}
