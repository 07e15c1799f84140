package io.flock.actors.protocol;

/** Why a sampled node did not contribute to a round. */
public enum DropoutReason {
  /** The node's actor stopped (crash, JVM exit, removed from the cluster). */
  CRASHED,
  /** No reply before the round's deadline. */
  TIMED_OUT,
  /** The node refused the request (stale round, model it cannot train). */
  DECLINED,
  /** Local training failed (diverging loss, a model or data that do not fit, or a worker fault). */
  TRAINING_FAILED,
  /** The node did less local work than asked and the strategy drops partial work (FedAvg). */
  STRAGGLER,
  /** The node's update failed validation (wrong layout, NaN, bad sample count, stale round). */
  INVALID_UPDATE
}
