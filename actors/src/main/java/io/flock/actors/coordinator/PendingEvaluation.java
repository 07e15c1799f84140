package io.flock.actors.coordinator;

import io.flock.actors.round.RoundManager;
import io.flock.models.aggregation.FederatedEvaluation;

/**
 * A completed round waiting for its evaluations before it is reported: the coordinator's own
 * (central held-out data) and the federated one (the nodes' held-out data), each only when asked.
 */
final class PendingEvaluation {

  private final RoundManager.Outcome outcome;
  private final boolean hasCentral;
  private boolean centralPending;
  private boolean federatedPending;
  private double centralLoss = Double.NaN;
  private double centralAccuracy = Double.NaN;
  private long evalMillis;
  private FederatedEvaluation federated;

  PendingEvaluation(RoundManager.Outcome outcome, boolean central, boolean federated) {
    this.outcome = outcome;
    this.hasCentral = central;
    this.centralPending = central;
    this.federatedPending = federated;
  }

  void central(double loss, double accuracy, long millis) {
    centralLoss = loss;
    centralAccuracy = accuracy;
    evalMillis = millis;
    centralPending = false;
  }

  /** The federated result; null when no node answered. */
  void federated(FederatedEvaluation result) {
    federated = result;
    federatedPending = false;
  }

  boolean ready() {
    return !centralPending && !federatedPending;
  }

  RoundManager.Outcome outcome() {
    return outcome;
  }

  boolean hasCentral() {
    return hasCentral;
  }

  double centralLoss() {
    return centralLoss;
  }

  double centralAccuracy() {
    return centralAccuracy;
  }

  long evalMillis() {
    return evalMillis;
  }

  FederatedEvaluation federatedEvaluation() {
    return federated;
  }
}
