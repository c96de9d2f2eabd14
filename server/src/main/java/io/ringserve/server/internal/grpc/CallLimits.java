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
import io.grpc.netty.shaded.io.netty.util.concurrent.FastThreadLocal;
import io.grpc.netty.shaded.io.netty.util.internal.ThreadExecutorMap;
import io.ringserve.server.internal.log.RateLimitedLog;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Time limits on each call that gRPC does not have:
 *
 * <ul>
 *   <li>a default deadline for calls whose client set none, so that no call waits forever: a
 *       request still queued then is dropped by its scheduler, and the call is answered
 *       DEADLINE_EXCEEDED even if its model never returns ({@link ServerDeadlineCall});
 *   <li>a time limit on a unary call's request message: a client that opens a call and sends only
 *       part of its message (or nothing) is answered DEADLINE_EXCEEDED once the limit passes, and
 *       the buffers holding its partial message are let go with the call.
 * </ul>
 *
 * <p>Threading: the server runs handlers on the transport's event loop (direct executor), where
 * {@link #interceptCall} runs too; the receive limit is enforced on that same event loop, so it
 * never races the call's own callbacks.
 *
 * <p>Cost per call: a link in a list and, for a call without a deadline, one cancellable context
 * and a guard on the call. Calls waiting for their message are kept per event loop in arrival
 * order, which is also the order their limits pass (one limit for all); one timer per event loop,
 * armed only while a call waits, fires when the oldest one's limit passes and re-arms for the next.
 * A timer per call (its task, and an insertion into and a removal from the loop's timer queue) was
 * a fixed cost of every request, while nearly every message arrives with its headers.
 */
public final class CallLimits implements ServerInterceptor {
  private static final RateLimitedLog LOG = new RateLimitedLog(CallLimits.class.getName());

  private final long defaultDeadlineNanos;
  private final String defaultDeadlineText;
  private final long receiveTimeoutNanos;
  private final FastThreadLocal<AwaitingMessages> awaiting =
      new FastThreadLocal<>() {
        @Override
        protected AwaitingMessages initialValue() {
          return new AwaitingMessages();
        }
      };

  /**
   * @param defaultDeadline the deadline of calls without one; zero for none
   * @param messageReceiveTimeout time a unary request message gets to arrive; zero for none
   */
  public CallLimits(Duration defaultDeadline, Duration messageReceiveTimeout) {
    this.defaultDeadlineNanos = defaultDeadline.toNanos();
    this.defaultDeadlineText = defaultDeadline.toSeconds() + " s";
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
      ServerDeadlineCall<Q, R> guarded = new ServerDeadlineCall<>(call, defaultDeadlineText);
      // The deadline's timer runs on this event loop, so the listener does too.
      context.addListener(guarded, Runnable::run);
      call = guarded;
      listener = Contexts.interceptCall(context, call, headers, next);
    } else {
      listener = next.startCall(call, headers);
    }
    if (context == null && receiveTimeoutNanos == 0) {
      return listener;
    }
    Tracking<Q> tracking = new Tracking<>(listener, context, call);
    if (receiveTimeoutNanos > 0) {
      awaiting.get().add(tracking, loop);
    }
    return tracking;
  }

  /** Runs on the call's event loop, so it cannot race the call's callbacks. */
  private void refuseUnreceived(ServerCall<?, ?> call, Tracking<?> tracking) {
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
    private final ServerCall<?, ?> call;
    private boolean closedByLimit;

    // While the call waits for its message: the list it is in, its neighbours and its limit.
    private AwaitingMessages awaiting;
    private Tracking<?> previous;
    private Tracking<?> next;
    private long receiveDeadlineNanos;

    Tracking(
        ServerCall.Listener<Q> delegate,
        Context.CancellableContext context,
        ServerCall<?, ?> call) {
      super(delegate);
      this.context = context;
      this.call = call;
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
      if (awaiting != null) {
        awaiting.remove(this);
      }
    }

    private void end() {
      stopTimer();
      if (context != null) {
        context.cancel(null);
      }
    }
  }

  /**
   * The calls of one event loop waiting for their request message, oldest first, and the one timer
   * that refuses those whose limit has passed. Confined to its event loop.
   */
  private final class AwaitingMessages implements Runnable {
    private Tracking<?> oldest;
    private Tracking<?> newest;
    private EventExecutor loop;
    private ScheduledFuture<?> timer;

    void add(Tracking<?> tracking, EventExecutor loop) {
      tracking.receiveDeadlineNanos = System.nanoTime() + receiveTimeoutNanos;
      tracking.awaiting = this;
      tracking.previous = newest;
      if (newest == null) {
        oldest = tracking;
      } else {
        newest.next = tracking;
      }
      newest = tracking;
      if (timer == null) {
        this.loop = loop;
        timer = loop.schedule(this, receiveTimeoutNanos, TimeUnit.NANOSECONDS);
      }
    }

    /** Unlinks a call; the timer stays armed and stops by itself once nothing waits. */
    void remove(Tracking<?> tracking) {
      if (tracking.previous == null) {
        oldest = tracking.next;
      } else {
        tracking.previous.next = tracking.next;
      }
      if (tracking.next == null) {
        newest = tracking.previous;
      } else {
        tracking.next.previous = tracking.previous;
      }
      tracking.previous = null;
      tracking.next = null;
      tracking.awaiting = null;
    }

    /** The timer: refuses every call whose limit has passed, then re-arms for the oldest left. */
    @Override
    public void run() {
      timer = null;
      long now = System.nanoTime();
      while (oldest != null && oldest.receiveDeadlineNanos - now <= 0) {
        Tracking<?> expired = oldest;
        remove(expired);
        refuseUnreceived(expired.call, expired);
      }
      if (oldest != null) {
        timer = loop.schedule(this, oldest.receiveDeadlineNanos - now, TimeUnit.NANOSECONDS);
      }
    }
  }
}
