package io.flock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flock.actors.coordinator.RoundReport;
import io.flock.actors.protocol.Dropout;
import io.flock.actors.protocol.DropoutReason;
import io.flock.models.aggregation.DifferentialPrivacy;
import io.flock.privacy.dp.Conversion;
import io.flock.simulations.DpConfig;
import io.flock.simulations.Simulation;
import io.flock.simulations.SimulationConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoundLinesTest {

  static RoundReport report(double epsilon, double fedAcc, int fedNodes) {
    return new RoundReport(7, 100, 7, true, null, 0.25, 0, 3.5, 0.93, 0.4, 100, 10, 9, 5400,
        List.of(new Dropout("node-0003", DropoutReason.TIMED_OUT, "no reply within 300000 ms")), 1200, 80,
        epsilon, fedAcc > 0 ? 0.3 : Double.NaN, fedAcc, fedNodes);
  }

  @Test
  void progressLineNamesTheSeedMetricsAndDropoutReasons() {
    String line = RoundLines.progress(report(Double.NaN, Double.NaN, 0));
    for (String part : new String[] {"round 7/100", "completedRounds=7", "currentLoss=0.2500", "targetLoss=none",
        "improvement=+3.50%", "accuracy=93.00%", "nodesParticipating=9/10", "samplesProcessed=5,400",
        "dropouts=1 {TIMED_OUT=1}", "roundTime=1.28s"}) {
      assertTrue(line.contains(part), part + " missing from: " + line);
    }
    assertTrue(!line.contains("epsilon") && !line.contains("federated"), line);
  }

  @Test
  void progressLineShowsEpsilonAndFederatedAccuracyWhenPresent() {
    String line = RoundLines.progress(report(2.5, 0.9, 6));
    assertTrue(line.contains("epsilon=2.5000") && line.contains("federatedAccuracy=90.00% (6 nodes)"), line);
  }

  @Test
  void metricsRecordHasEveryFieldAndNullForMissingValues() throws Exception {
    ObjectMapper json = new ObjectMapper();
    JsonNode n = json.readTree(json.writeValueAsString(RoundLines.json(report(Double.NaN, Double.NaN, 0))));
    assertEquals("round", n.get("event").asText());
    assertEquals(9, n.get("nodesParticipating").asInt());
    assertEquals("TIMED_OUT", n.get("dropouts").get(0).get("reason").asText());
    assertTrue(n.get("epsilon").isNull());
    assertTrue(n.get("federatedAccuracy").isNull());
    assertNull(n.get("missing"));
    JsonNode dp = json.readTree(json.writeValueAsString(RoundLines.json(report(1.5, 0.8, 4))));
    assertEquals(1.5, dp.get("epsilon").asDouble());
    assertEquals(4, dp.get("federatedNodes").asInt());
  }

  static Simulation.Prepared prepared(DpConfig dp, double noiseInUse) {
    SimulationConfig config = SimulationConfig.defaults().toBuilder().rounds(50).dp(dp).build();
    return new Simulation.Prepared(config, null, null, null, null, null, noiseInUse);
  }

  @Test
  void privacyLineNamesModeCalibratedNoiseClipDeltaAndBudget() {
    String line = RoundLines.privacy(prepared(
        new DpConfig(DifferentialPrivacy.Mode.CENTRAL, 2.0, 1e-5, 0, 0.5, Double.NaN, Conversion.IMPROVED), 1.0625));
    assertEquals("differential privacy: central noise, z=1.0625 (calibrated for 50 rounds), clip S=0.5,"
        + " delta=1.0E-5, budget epsilon 2.0", line);
  }

  @Test
  void privacyLineIsAbsentWithoutDifferentialPrivacy() {
    assertNull(RoundLines.privacy(prepared(null, 0)));
  }
}
