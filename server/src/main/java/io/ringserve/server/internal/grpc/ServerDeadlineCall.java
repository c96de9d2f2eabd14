package io.ringserve.server.internal.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A unary call under a deadline the server set ({@link CallLimits}' default deadline), answered
 * DEADLINE_EXCEEDED when that deadline passes before the handler has begun to answer.
 *
 * <p>Why: gRPC ends a call itself when a deadline the client sent passes, but not when a deadline
 * the server put on the call's context does: the context is cancelled and nothing else happens. A
 * caller without a deadline of its own, whose request runs on a model that never returns, would
 * then wait for good, holding its request.
 *
 * <p>Threading: the handler answers from a scheduler thread while the deadline fires on the event
 * loop, and a {@link ServerCall} must not be used by two threads at once. Whichever starts first
 * owns the call (one compare-and-set); the other's writes are dropped. Once the handler has begun,
 * its writes are non-blocking and finish promptly, so the deadline lets them be.
 */
final class ServerDeadlineCall<Q, R> extends SimpleForwardingServerCall<Q, R>
    implements Context.CancellationListener {
  private static final int OPEN = 0;
  private static final int ANSWERING = 1;
  private static final int EXPIRED = 2;

  private final AtomicInteger state = new AtomicInteger(OPEN);
  private final String deadline;

  ServerDeadlineCall(ServerCall<Q, R> call, String deadline) {
    super(call);
    this.deadline = deadline;
  }

  /** The context's deadline passed, or the call ended: only the first closes the call. */
  @Override
  public void cancelled(Context context) {
    Status status = Contexts.statusFromCancelled(context);
    if (status != null
        && status.getCode() == Status.Code.DEADLINE_EXCEEDED
        && state.compareAndSet(OPEN, EXPIRED)) {
      super.close(
          Status.DEADLINE_EXCEEDED.withDescription(
              "the request did not complete within the server's default deadline of "
                  + deadline
                  + " (--grpc-default-deadline-secs; a client may set its own)"),
          new Metadata());
    }
  }

  private boolean mayAnswer() {
    return state.get() == ANSWERING || state.compareAndSet(OPEN, ANSWERING);
  }

  @Override
  public void sendHeaders(Metadata headers) {
    if (mayAnswer()) {
      super.sendHeaders(headers);
    }
  }

  @Override
  public void sendMessage(R message) {
    if (mayAnswer()) {
      super.sendMessage(message);
    }
  }

  @Override
  public void close(Status status, Metadata trailers) {
    if (mayAnswer()) {
      super.close(status, trailers);
    }
  }

  /** True once the deadline has answered the call, so that a scheduler skips its request. */
  @Override
  public boolean isCancelled() {
    return state.get() == EXPIRED || super.isCancelled();
  }
}
