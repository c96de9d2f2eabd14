package io.ringserve.pipeline;

/** A record that cannot be scored, and why; becomes that record's error record. */
public final class RecordException extends Exception {
  private static final long serialVersionUID = 1L;

  public RecordException(String message) {
    super(message);
  }
}
