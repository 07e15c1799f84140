package io.flock.actors.coordinator;

import io.flock.actors.protocol.CborSerializable;
import io.flock.models.aggregation.ServerOptimizerState;
import io.flock.models.weights.ModelWeights;
import io.flock.privacy.dp.AdaptiveClipping;
import io.flock.privacy.dp.PrivacyAccountant;
import java.util.List;

/**
 * Everything a coordinator needs to continue a run exactly where it stopped: written after every
 * round (completed or failed) before the round is reported, so a reported round is never lost
 * and never run twice.
 *
 * @param runArgs the options the run was started with (the seed's command line, normalized), so
 *     a standby coordinator on another JVM rebuilds the same run from the checkpoint alone
 * @param round the last round run (completed or failed); the next one is {@code round + 1}
 * @param completedRounds rounds that changed the global model
 * @param consecutiveFailures failed rounds in a row at the end
 * @param lastLoss loss of the global model (NaN when unknown)
 * @param lastAccuracy accuracy of the global model (NaN when unknown)
 * @param global the global model after {@code round}
 * @param optimizer the server optimizer's state (FedAvgM momentum, FedAdam m and v...)
 * @param accountant the privacy accountant's record, or null without differential privacy
 * @param clipping adaptive clipping's state, or null
 * @param reports every round's report so far, in order: the run's metrics
 * @param finished why the run ended, or null while it runs
 * @param allowlist fingerprints of the node keys the run admits, or null when it admits every node:
 *     a standby that takes over keeps admitting exactly these
 */
public record Checkpoint(
    List<String> runArgs,
    long round,
    int completedRounds,
    int consecutiveFailures,
    double lastLoss,
    double lastAccuracy,
    ModelWeights global,
    ServerOptimizerState optimizer,
    PrivacyAccountant accountant,
    AdaptiveClipping clipping,
    List<RoundReport> reports,
    String finished,
    List<String> allowlist)
    implements CborSerializable {

  /** Validates and copies. */
  public Checkpoint {
    if (global == null || optimizer == null) {
      throw new IllegalArgumentException("a checkpoint needs the global model and the optimizer state");
    }
    if (round < 0 || completedRounds < 0 || completedRounds > round || consecutiveFailures < 0) {
      throw new IllegalArgumentException("inconsistent round counters: round " + round + ", completed "
          + completedRounds + ", failures in a row " + consecutiveFailures);
    }
    runArgs = runArgs == null ? List.of() : List.copyOf(runArgs);
    reports = reports == null ? List.of() : List.copyOf(reports);
    allowlist = allowlist == null ? null : List.copyOf(allowlist);
  }
}
