package io.flock.actors.coordinator;

import io.flock.actors.protocol.Dropout;
import java.util.List;

/**
 * The metrics of one finished round, published by the coordinator to its listener.
 *
 * @param round this round's number (1-based)
 * @param totalRounds rounds planned
 * @param completedRounds rounds that reached quorum so far, this one included
 * @param completed whether this round reached quorum (else the global model is unchanged)
 * @param failureReason why the round failed; null when it completed
 * @param currentLoss loss of the global model after this round on the evaluation data (the
 *     participants' mean training loss when there is no evaluation data)
 * @param targetLoss the loss at which training stops; 0 = none
 * @param improvementPercent decrease of currentLoss relative to the previous round's (the initial
 *     model's for round 1), in percent; negative when the loss rose
 * @param accuracy accuracy of the global model on the evaluation data; NaN without one
 * @param trainLoss sample-weighted mean local training loss of the participants
 * @param nodesAvailable nodes registered when the round started
 * @param nodesSampled nodes asked to train
 * @param nodesParticipating nodes whose update was aggregated
 * @param samplesProcessed training samples processed in this round (samples x local epochs)
 * @param dropouts sampled nodes that did not contribute, with reasons
 * @param roundMillis wall time of the round, training and aggregation
 * @param evalMillis wall time of the evaluation after the round
 * @param epsilon differential-privacy epsilon spent so far (at the run's delta); NaN without DP
 * @param federatedLoss example-weighted loss of the new global model on the nodes' own held-out
 *     data (federated evaluation); NaN when not run
 * @param federatedAccuracy the same for accuracy; NaN when not run
 * @param federatedNodes nodes whose evaluation was combined; 0 when not run
 */
public record RoundReport(
    long round,
    int totalRounds,
    int completedRounds,
    boolean completed,
    String failureReason,
    double currentLoss,
    double targetLoss,
    double improvementPercent,
    double accuracy,
    double trainLoss,
    int nodesAvailable,
    int nodesSampled,
    int nodesParticipating,
    long samplesProcessed,
    List<Dropout> dropouts,
    long roundMillis,
    long evalMillis,
    double epsilon,
    double federatedLoss,
    double federatedAccuracy,
    int federatedNodes)
    implements Coordinator.Event {

  public RoundReport {
    dropouts = List.copyOf(dropouts);
  }
}
