package io.flock.models.data;

/**
 * A data set could not be found, fetched or read. The message says what was missing and what to
 * do about it; CLI commands print it as is.
 */
public final class DataUnavailableException extends Exception {

  private static final long serialVersionUID = 1L;

  public DataUnavailableException(String message) {
    super(message);
  }

  public DataUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
