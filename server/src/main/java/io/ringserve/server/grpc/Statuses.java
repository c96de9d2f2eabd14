package io.ringserve.server.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ringserve.batching.InferenceException;
import io.ringserve.server.model.ModelNotFoundException;
import io.ringserve.server.model.ModelUnavailableException;

/**
 * The one place where the server's failures become gRPC statuses. Only the status code and the
 * message cross the wire; stack traces stay in the server's log.
 */
final class Statuses {
  private static final System.Logger LOG = System.getLogger(Statuses.class.getName());

  private Statuses() {}

  static StatusRuntimeException toStatus(Throwable failure) {
    return statusOf(failure).asRuntimeException();
  }

  static Status statusOf(Throwable failure) {
    if (failure instanceof StatusRuntimeException sre) {
      return sre.getStatus();
    }
    if (failure instanceof ModelNotFoundException) {
      return Status.NOT_FOUND.withDescription(failure.getMessage());
    }
    if (failure instanceof ModelUnavailableException) {
      return Status.UNAVAILABLE.withDescription(failure.getMessage());
    }
    if (failure instanceof InferenceException ie) {
      Status code =
          switch (ie.reason()) {
            case QUEUE_FULL, UNAVAILABLE -> Status.UNAVAILABLE;
            case TIMEOUT -> Status.DEADLINE_EXCEEDED;
            case CANCELLED -> Status.CANCELLED;
            case INVALID_INPUT -> Status.INVALID_ARGUMENT;
            case MODEL_ERROR -> Status.INTERNAL;
          };
      return code.withDescription(ie.getMessage());
    }
    LOG.log(System.Logger.Level.ERROR, "unexpected failure answering a request", failure);
    return Status.INTERNAL.withDescription("internal error: " + failure);
  }
}
