package io.flock.actors.coordinator;

import io.flock.models.weights.ModelWeights;

/**
 * The coordinator's last event: training stopped.
 *
 * @param reason why it stopped: all rounds done, target reached, or aborted (with the cause)
 * @param aborted true when training stopped because rounds kept failing
 * @param roundsRun rounds started, failed ones included
 * @param completedRounds rounds that reached quorum
 * @param finalModel the global model at the end
 * @param finalLoss its loss (see {@link RoundReport#currentLoss})
 * @param finalAccuracy its accuracy; NaN without evaluation data
 * @param epsilon differential-privacy epsilon spent; NaN without DP
 */
public record TrainingFinished(
    String reason,
    boolean aborted,
    long roundsRun,
    int completedRounds,
    ModelWeights finalModel,
    double finalLoss,
    double finalAccuracy,
    double epsilon)
    implements Coordinator.Event {}
