package io.flock.cli;

import io.flock.actors.coordinator.RoundReport;
import io.flock.actors.coordinator.TrainingFinished;
import io.flock.actors.protocol.Dropout;
import java.util.LinkedHashMap;
import io.flock.simulations.DpConfig;
import io.flock.simulations.Simulation;
import io.flock.simulations.SimulationConfig;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Formats round reports as progress lines and as JSON-ready maps (NaN becomes null). */
final class RoundLines {

  private RoundLines() {}

  /**
   * The secure-aggregation setting of a run (m, k, t, clip, phase deadline), or null when its rounds
   * are not securely aggregated; printed by {@code flock simulate} and {@code flock seed}.
   */
  static String secureAggregation(Simulation.Prepared prepared) {
    var secure = prepared.round().secureAggregation();
    if (secure == null) {
      return null;
    }
    int m = prepared.round().sampleSize(prepared.config().nodes());
    int k = secure.degreeFor(m);
    return String.format("secure aggregation: the coordinator sees only the sum of each round's updates; m=%d sampled,"
        + " k=%d%s, t=%d, clip %s per coordinate, %d s per phase; the update is the UNWEIGHTED mean of the"
        + " survivors' clipped updates", m, k, k == m - 1 ? " (complete graph)" : "", secure.thresholdFor(k),
        secure.clip(), secure.phaseTimeout().toSeconds());
  }

  /** One progress line with the seed's metrics, plus accuracy, dropouts and round time. */
  static String progress(RoundReport r) {
    StringBuilder s = new StringBuilder();
    s.append(String.format("round %d/%d", r.round(), r.totalRounds()));
    if (!r.completed()) {
      s.append(" FAILED (").append(r.failureReason()).append(")");
    }
    s.append(String.format(" | completedRounds=%d currentLoss=%s targetLoss=%s improvement=%s",
        r.completedRounds(), num(r.currentLoss(), "%.4f"),
        r.targetLoss() > 0 ? num(r.targetLoss(), "%.4f") : "none",
        Double.isNaN(r.improvementPercent()) ? "n/a" : String.format("%+.2f%%", r.improvementPercent())));
    s.append(String.format(" | accuracy=%s nodesParticipating=%d/%d samplesProcessed=%,d",
        Double.isNaN(r.accuracy()) ? "n/a" : String.format("%.2f%%", r.accuracy() * 100),
        r.nodesParticipating(), r.nodesSampled(), r.samplesProcessed()));
    if (r.federatedNodes() > 0) {
      s.append(String.format(" | federatedAccuracy=%.2f%% (%d nodes)", r.federatedAccuracy() * 100, r.federatedNodes()));
    }
    if (!Double.isNaN(r.epsilon())) {
      s.append(String.format(" | epsilon=%.4f", r.epsilon()));
    }
    s.append(" | dropouts=").append(r.dropouts().size());
    if (!r.dropouts().isEmpty()) {
      s.append(' ').append(summarize(r.dropouts()));
    }
    s.append(String.format(" | roundTime=%.2fs", (r.roundMillis() + r.evalMillis()) / 1000.0));
    return s.toString();
  }

  private static String summarize(List<Dropout> dropouts) {
    Map<String, Integer> byReason = new LinkedHashMap<>();
    for (Dropout d : dropouts) {
      byReason.merge(d.reason().name(), 1, Integer::sum);
    }
    return byReason.toString();
  }

  private static String num(double v, String fmt) {
    return Double.isNaN(v) ? "n/a" : String.format(fmt, v);
  }

  /** The JSON-lines record of a round: every field of the report. */
  static Map<String, Object> json(RoundReport r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("event", "round");
    m.put("round", r.round());
    m.put("totalRounds", r.totalRounds());
    m.put("completedRounds", r.completedRounds());
    m.put("completed", r.completed());
    m.put("failureReason", r.failureReason());
    m.put("currentLoss", finite(r.currentLoss()));
    m.put("targetLoss", r.targetLoss());
    m.put("improvement", finite(r.improvementPercent()));
    m.put("accuracy", finite(r.accuracy()));
    m.put("epsilon", finite(r.epsilon()));
    m.put("trainLoss", finite(r.trainLoss()));
    m.put("federatedLoss", finite(r.federatedLoss()));
    m.put("federatedAccuracy", finite(r.federatedAccuracy()));
    m.put("federatedNodes", r.federatedNodes());
    m.put("nodesAvailable", r.nodesAvailable());
    m.put("nodesSampled", r.nodesSampled());
    m.put("nodesParticipating", r.nodesParticipating());
    m.put("samplesProcessed", r.samplesProcessed());
    m.put("dropouts", r.dropouts().stream().map(d -> Map.of(
        "nodeId", d.nodeId(), "reason", d.reason().name(), "detail", d.detail())).toList());
    m.put("roundTimeMs", r.roundMillis());
    m.put("evalTimeMs", r.evalMillis());
    return m;
  }

  /** The end of a run: why, rounds, and the final model's test accuracy and loss. */
  static String finished(TrainingFinished f) {
    return String.format("finished: %s | rounds=%d completedRounds=%d | test accuracy %s, loss %s",
        f.reason(), f.roundsRun(), f.completedRounds(),
        Double.isNaN(f.finalAccuracy()) ? "n/a" : String.format("%.2f%%", f.finalAccuracy() * 100),
        Double.isNaN(f.finalLoss()) ? "n/a" : String.format("%.4f", f.finalLoss()));
  }

  /** The JSON-lines record of the end of training. */
  static Map<String, Object> json(TrainingFinished f, Long elapsedMillis) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("event", "finished");
    m.put("reason", f.reason());
    m.put("aborted", f.aborted());
    m.put("roundsRun", f.roundsRun());
    m.put("completedRounds", f.completedRounds());
    m.put("finalLoss", finite(f.finalLoss()));
    m.put("finalAccuracy", finite(f.finalAccuracy()));
    m.put("epsilon", finite(f.epsilon()));
    m.put("elapsedMs", elapsedMillis);
    return m;
  }

  /**
   * The run's differential-privacy settings as one line (mode, the noise multiplier in use, clip
   * norm, delta, budget), or null when the run has none: printed by every command that starts a
   * run, so a user sees what protects the data before the first round.
   */
  static String privacy(Simulation.Prepared prepared) {
    SimulationConfig config = prepared.config();
    DpConfig d = config.dp();
    if (d == null) {
      return null;
    }
    return String.format(Locale.ROOT, "differential privacy: %s noise, z=%.4f%s, clip S=%s%s, delta=%s, budget %s",
        d.mode().name().toLowerCase(Locale.ROOT), prepared.noiseMultiplier(),
        d.noiseMultiplier() > 0 ? "" : " (calibrated for " + config.rounds() + " rounds)",
        d.clipNorm(), Double.isNaN(d.adaptiveQuantile()) ? "" : " (adaptive, quantile " + d.adaptiveQuantile() + ")",
        d.delta(), d.epsilon() > 0 ? "epsilon " + d.epsilon() : "none");
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }
}
