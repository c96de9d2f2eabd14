package io.ringserve.server.internal.http;

import io.grpc.Status;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The one place where a gRPC status becomes an HTTP status, as Triton's HTTP server maps its error
 * codes: not found 404, unavailable 503, unimplemented 501, internal 500, anything else 400. Both
 * front ends word the message the same way; only the code differs. Stateless.
 *
 * <p>A passed deadline (DEADLINE_EXCEEDED) is 503 as well: Triton has no deadline code and answers
 * an expired request timeout UNAVAILABLE ("Request timeout expired"), which its HTTP server sends
 * as 503, so that is what a Triton HTTP client sees and may retry on.
 */
final class HttpStatuses {
  private HttpStatuses() {}

  static HttpResponseStatus of(Status status) {
    return switch (status.getCode()) {
      case OK -> HttpResponseStatus.OK;
      case NOT_FOUND -> HttpResponseStatus.NOT_FOUND;
      case UNAVAILABLE, DEADLINE_EXCEEDED -> HttpResponseStatus.SERVICE_UNAVAILABLE;
      case UNIMPLEMENTED -> HttpResponseStatus.NOT_IMPLEMENTED;
      case INTERNAL, UNKNOWN, DATA_LOSS -> HttpResponseStatus.INTERNAL_SERVER_ERROR;
      default -> HttpResponseStatus.BAD_REQUEST;
    };
  }

  /** The status's message, or its code's name when it has none. */
  static String message(Status status) {
    String description = status.getDescription();
    return description == null || description.isEmpty() ? status.getCode().toString() : description;
  }

  /** A bad request, answered 400 with {@code message}. */
  static io.grpc.StatusRuntimeException invalid(String message) {
    return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
  }
}
