package io.ringserve.batching;

import java.util.Objects;

/**
 * Why a request was answered without a result. The server translates the {@link Reason} into a gRPC
 * status at its edge, in one place; the message travels to the caller as it is.
 */
public final class InferenceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The kinds of failure a caller can tell apart (and retry, or not). */
  public enum Reason {
    /** The model's queue was full; retry later. Triton answers UNAVAILABLE. */
    QUEUE_FULL,
    /**
     * The request's queue timeout (its own or its priority level's) passed before it ran. Triton
     * answers UNAVAILABLE "Request timeout expired".
     */
    TIMEOUT,
    /** The caller's deadline (or the server's default one) passed before the request ran. */
    DEADLINE_EXCEEDED,
    /** The caller cancelled the request before it ran. */
    CANCELLED,
    /** The scheduler is stopping or stopped. */
    UNAVAILABLE,
    /** The input does not fit the model; the message names the tensor. */
    INVALID_INPUT,
    /** The model failed while running the batch this request was in. */
    MODEL_ERROR
  }

  private final Reason reason;

  public InferenceException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public InferenceException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** The kind of failure. */
  public Reason reason() {
    return reason;
  }
}
