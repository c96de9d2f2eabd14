package io.ringserve.server.internal.grpc;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ringserve.batching.InferenceException;
import io.ringserve.server.internal.log.RateLimitedLog;
import io.ringserve.server.model.ModelLoadException;
import io.ringserve.server.model.ModelNotFoundException;
import io.ringserve.server.model.ModelUnavailableException;

/**
 * The one place where the server's failures become gRPC statuses. Only the status code and a
 * message cross the wire. Our own exceptions carry messages written for callers and travel as they
 * are; anything else is a bug or an engine's failure, whose class name and stack trace mean nothing
 * to a caller: it answers INTERNAL saying what failed, and its stack trace goes to the log. The
 * REST front end starts from the same statuses and maps only their codes to HTTP.
 */
public final class Statuses {
  // Rate-limited: clients can cause failures (a load request's files, a model that fails on what
  // they send), and each logs a stack trace.
  private static final RateLimitedLog LOG = new RateLimitedLog(Statuses.class.getName());

  /**
   * gRPC's retry pushback trailer (gRFC A6): a negative value tells a client's retry policy not to
   * retry the call.
   */
  static final Metadata.Key<String> RETRY_PUSHBACK_MS =
      Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);

  private Statuses() {}

  /**
   * The trailers to send with {@code status}, or null for none. An expired queue timeout is
   * UNAVAILABLE, as Triton answers it, but unlike a full queue it must not be retried by a client's
   * retry policy (the RingServe client's retries UNAVAILABLE): the request already waited as long
   * as its caller allowed, and a retry would wait as long again.
   */
  static Metadata trailersOf(Status status) {
    if (status.getCause() instanceof InferenceException ie
        && ie.reason() == InferenceException.Reason.TIMEOUT) {
      Metadata trailers = new Metadata();
      trailers.put(RETRY_PUSHBACK_MS, "-1");
      return trailers;
    }
    return null;
  }

  /** {@link #statusOf} as an exception, for {@code onError}. */
  static StatusRuntimeException toStatus(Throwable failure, String whatFailed) {
    return statusOf(failure, whatFailed).asRuntimeException();
  }

  /**
   * The status a caller gets for {@code failure}.
   *
   * @param whatFailed what the server was doing, said to the caller when the failure is not one of
   *     ours, for example {@code "model 'mlp' failed to run the batch"}
   */
  public static Status statusOf(Throwable failure, String whatFailed) {
    if (failure instanceof StatusRuntimeException sre) {
      return sre.getStatus();
    }
    if (failure instanceof ModelNotFoundException) {
      return Status.NOT_FOUND.withDescription(ClientMessages.scrub(failure.getMessage()));
    }
    if (failure instanceof ModelLoadException) {
      // A load's failure: its message is written for the caller, in Triton's wording.
      return Status.INTERNAL.withDescription(ClientMessages.scrub(failure.getMessage()));
    }
    if (failure instanceof ModelUnavailableException) {
      return Status.UNAVAILABLE.withDescription(ClientMessages.scrub(failure.getMessage()));
    }
    if (failure instanceof InferenceException ie) {
      Status code =
          switch (ie.reason()) {
            // Triton answers an expired queue timeout UNAVAILABLE "Request timeout expired".
            case QUEUE_FULL, UNAVAILABLE, TIMEOUT -> Status.UNAVAILABLE;
            case DEADLINE_EXCEEDED -> Status.DEADLINE_EXCEEDED;
            case CANCELLED -> Status.CANCELLED;
            case INVALID_INPUT -> Status.INVALID_ARGUMENT;
            case MODEL_ERROR -> Status.INTERNAL;
          };
      return code.withCause(ie)
          .withDescription(
              ie.reason() == InferenceException.Reason.MODEL_ERROR
                  ? modelError(ie, whatFailed)
                  : ClientMessages.scrub(ie.getMessage()));
    }
    return Status.INTERNAL.withDescription(logged(failure, whatFailed));
  }

  // The last failure logged and its id: the requests of one failed batch share the runner's
  // exception and are answered one after another, so the batch is logged once.
  private static Throwable lastLogged;
  private static String lastId;

  /**
   * Logs {@code failure} with a new error id, once per failure object, and returns what the client
   * gets instead of the details: what failed and the id.
   */
  private static synchronized String logged(Throwable failure, String whatFailed) {
    if (failure != lastLogged) {
      lastLogged = failure;
      lastId = ClientMessages.newErrorId();
      LOG.log(System.Logger.Level.ERROR, whatFailed + " (error id " + lastId + ")", failure);
    }
    return ClientMessages.scrub(whatFailed) + " (error id " + lastId + ")";
  }

  /**
   * What failed. Our own words (no cause, or a cause of ours) go to the caller; an engine's
   * exception may hold graph internals, file paths or request data, so it goes to the log once, and
   * the caller gets what failed and an error id to find it there.
   */
  private static String modelError(InferenceException failure, String whatFailed) {
    Throwable cause = failure.getCause();
    if (cause == null || cause instanceof InferenceException) {
      String detail = failure.getMessage();
      return detail == null || detail.isBlank()
          ? whatFailed
          : ClientMessages.scrub(whatFailed + ": " + detail);
    }
    return logged(cause, whatFailed);
  }
}
