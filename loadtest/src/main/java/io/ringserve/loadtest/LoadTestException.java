package io.ringserve.loadtest;

/**
 * A load test that cannot start or cannot go on: the server is unreachable, the model is unknown,
 * or an input option ({@code --shape}, {@code --data}, ...) does not fit the model. The message is
 * one line meant for a person, naming what is wrong; the command line prints it and exits non-zero.
 *
 * <p>Failed inference calls during a run are not exceptions: they are counted in the report's
 * status-code and error distributions.
 */
public final class LoadTestException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A failure described by {@code message} alone. */
  public LoadTestException(String message) {
    super(message);
  }

  /** A failure described by {@code message}, caused by {@code cause}. */
  public LoadTestException(String message, Throwable cause) {
    super(message, cause);
  }
}
