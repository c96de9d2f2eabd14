package io.ringserve.server.internal.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.netty.util.concurrent.EventExecutor;
import io.grpc.netty.shaded.io.netty.util.internal.ThreadExecutorMap;
import io.ringserve.server.internal.log.RateLimitedLog;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Time limits on each call that gRPC does not have:
 *
 * <ul>
 *   <li>a default deadline for calls whose client set none, so that no call waits forever;
 *   <li>a time limit on a unary call's request message: a client that opens a call and sends only
 *       part of its message (or nothing) is answered DEADLINE_EXCEEDED once the limit passes, and
 *       the buffers holding its partial message are let go with the call.
 * </ul>
 *
 * <p>Threading: the server runs handlers on the transport's event loop (direct executor), where
 * {@link #interceptCall} runs too; the receive timer is scheduled on that same event loop, so it
 * never races the call's own callbacks. Cost per call: one timer on the event loop's wheel and, for
 * a call without a deadline, one cancellable context.
 */
public final class CallLimits implements ServerInterceptor {
  private static final RateLimitedLog LOG = new RateLimitedLog(CallLimits.class.getName());

  private final long defaultDeadlineNanos;
  private final long receiveTimeoutNanos;

  /**
   * @param defaultDeadline the deadline of calls without one; zero for none
   * @param messageReceiveTimeout time a unary request message gets to arrive; zero for none
   */
  public CallLimits(Duration defaultDeadline, Duration messageReceiveTimeout) {
    this.defaultDeadlineNanos = defaultDeadline.toNanos();
    this.receiveTimeoutNanos = messageReceiveTimeout.toNanos();
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    EventExecutor loop = ThreadExecutorMap.currentExecutor();
    boolean unary = call.getMethodDescriptor().getType() == MethodType.UNARY;
    if (loop == null || !unary) {
      // Not on a Netty event loop (an in-process server), or a stream: a stream's requests each
      // carry their own deadline, and an idle stream is legitimate.
      return next.startCall(call, headers);
    }
    ServerCall.Listener<Q> listener;
    Context.CancellableContext context = null;
    if (defaultDeadlineNanos > 0 && Context.current().getDeadline() == null) {
      context =
          Context.current().withDeadlineAfter(defaultDeadlineNanos, TimeUnit.NANOSECONDS, loop);
      listener = Contexts.interceptCall(context, call, headers, next);
    } else {
      listener = next.startCall(call, headers);
    }
    if (context == null && receiveTimeoutNanos == 0) {
      return listener;
    }
    Tracking<Q> tracking = new Tracking<>(listener, context);
    if (receiveTimeoutNanos > 0) {
      tracking.receiveTimer =
          loop.schedule(
              () -> refuseUnreceived(call, tracking), receiveTimeoutNanos, TimeUnit.NANOSECONDS);
    }
    return tracking;
  }

  /** Runs on the call's event loop, so it cannot race the call's callbacks. */
  private void refuseUnreceived(ServerCall<?, ?> call, Tracking<?> tracking) {
    if (tracking.receiveTimer == null) {
      return; // the message arrived, or the call ended, as the timer fired
    }
    tracking.closedByLimit = true;
    String limit = Duration.ofNanos(receiveTimeoutNanos).toSeconds() + " s";
    LOG.warn(
        "closed a call to {0}: its request did not arrive within {1}",
        call.getMethodDescriptor().getFullMethodName(), limit);
    call.close(
        Status.DEADLINE_EXCEEDED.withDescription(
            "the request did not arrive within "
                + limit
                + " (--grpc-message-receive-timeout-secs)"),
        new Metadata());
  }

  /**
   * Stops the receive timer once the request is in (its message and the client's half-close), frees
   * the context when the call ends, and hides what arrives after the limit closed the call from the
   * handler, which would answer a closed call. Confined to the call's event loop.
   */
  private static final class Tracking<Q> extends SimpleForwardingServerCallListener<Q> {
    private final Context.CancellableContext context;
    private ScheduledFuture<?> receiveTimer;
    private boolean closedByLimit;

    Tracking(ServerCall.Listener<Q> delegate, Context.CancellableContext context) {
      super(delegate);
      this.context = context;
    }

    @Override
    public void onMessage(Q message) {
      if (!closedByLimit) {
        super.onMessage(message);
      }
    }

    @Override
    public void onHalfClose() {
      stopTimer();
      if (!closedByLimit) {
        super.onHalfClose();
      }
    }

    @Override
    public void onCancel() {
      end();
      super.onCancel();
    }

    @Override
    public void onComplete() {
      end();
      super.onComplete();
    }

    private void stopTimer() {
      if (receiveTimer != null) {
        receiveTimer.cancel(false);
        receiveTimer = null;
      }
    }

    private void end() {
      stopTimer();
      if (context != null) {
        context.cancel(null);
      }
    }
  }
}
