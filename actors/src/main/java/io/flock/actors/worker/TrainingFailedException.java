package io.flock.actors.worker;

/**
 * Thrown by a {@link TrainingWorker} after it has reported a failed task, so that supervision
 * restarts it with a fresh engine (native state after a failure is not trusted).
 */
public final class TrainingFailedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public TrainingFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
