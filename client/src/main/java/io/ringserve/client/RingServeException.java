package io.ringserve.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Objects;

/**
 * A call the server (or the channel) answered with an error. {@link #code()} is the gRPC status
 * code: {@code NOT_FOUND} for an unknown model, {@code INVALID_ARGUMENT} for bad input, {@code
 * UNAVAILABLE} when no server could take the call even after retries, {@code DEADLINE_EXCEEDED}
 * when the deadline passed. The message is the server's, or for a failure on this side of the wire
 * (no connection, say) gRPC's words and the reason the transport gave.
 *
 * <p>Errors a stream reports for one request ({@code error_message}) carry no gRPC status; they
 * arrive as {@code UNKNOWN} with {@link #isStreamError()} true.
 */
public final class RingServeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Status status;
  private final boolean streamError;

  private RingServeException(String message, Status status, boolean streamError, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.streamError = streamError;
  }

  /** The exception for a failed call; {@code what} names the call ("ModelInfer simple"). */
  static RingServeException fromStatus(String what, Status status, Throwable cause) {
    Objects.requireNonNull(status, "status");
    String description = status.getDescription();
    String message =
        what + " failed: " + status.getCode() + (description == null ? "" : ": " + description);
    Throwable transport = status.getCause();
    if (transport != null
        && transport.getMessage() != null
        && (description == null || !description.contains(transport.getMessage()))) {
      // A failure on this side of the wire: gRPC's "io exception" alone does not say that the
      // connection was refused, or by whom (the cause never comes from the server).
      message += " (" + transport.getMessage() + ")";
    }
    return new RingServeException(message, status, false, cause);
  }

  /** The exception for any throwable a gRPC call ended with. */
  static RingServeException from(String what, Throwable failure) {
    if (failure instanceof RingServeException e) {
      return e;
    }
    Status status =
        failure instanceof StatusRuntimeException s ? s.getStatus() : Status.fromThrowable(failure);
    return fromStatus(what, status, failure);
  }

  /** The exception for a request a stream answered with {@code error_message}. */
  static RingServeException fromStreamError(String what, String errorMessage) {
    return new RingServeException(
        what + " failed: " + errorMessage,
        Status.UNKNOWN.withDescription(errorMessage),
        true,
        null);
  }

  /** The gRPC status code. */
  public Status.Code code() {
    return status.getCode();
  }

  /** The full gRPC status, with the server's description. */
  public Status status() {
    return status;
  }

  /** Whether a stream reported this error for one request while the stream itself went on. */
  public boolean isStreamError() {
    return streamError;
  }
}
