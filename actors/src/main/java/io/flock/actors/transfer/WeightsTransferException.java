package io.flock.actors.transfer;

/**
 * A streamed weights transfer did not deliver the weights it promised: the stream failed (the
 * sender stopped, its JVM left, the claim expired, it stalled), or what arrived does not match the
 * promised layout or checksum. The message says which; the receiver treats the transfer as lost
 * (a node declines the round, a round manager records a dropout).
 */
public final class WeightsTransferException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A failure with a reason and, when the stream failed, its cause. */
  public WeightsTransferException(String message, Throwable cause) {
    super(message, cause);
  }

  /** A failure with a reason. */
  public WeightsTransferException(String message) {
    super(message);
  }
}
