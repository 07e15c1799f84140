package io.flock.actors.transfer;

/**
 * A transfer did not deliver the bytes it promised (model weights or a checkpoint file): the
 * stream or connection failed (the sender stopped, its JVM left, the claim expired, it stalled),
 * or what arrived does not match the promised size or checksum. The message says which; the
 * receiver treats the transfer as lost (a node declines the round, a round manager records a
 * dropout, a standby answers the replica with the error).
 */
public final class TransferException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A failure with a reason and, when the stream failed, its cause. */
  public TransferException(String message, Throwable cause) {
    super(message, cause);
  }

  /** A failure with a reason. */
  public TransferException(String message) {
    super(message);
  }
}
