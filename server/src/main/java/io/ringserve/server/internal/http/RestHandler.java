package io.ringserve.server.internal.http;

import io.grpc.Status;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.ringserve.server.internal.outbox.AnswerOutbox;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One HTTP/1.1 connection: answers its requests one at a time, in order, as HTTP/1.1 requires of
 * pipelined requests. While a request is in flight the connection keeps reading, so that it sees
 * the client close and marks the request cancelled (the scheduler then drops it, as it does a
 * cancelled gRPC call); once a second, pipelined request has arrived behind it, the connection
 * stops reading, so a client that sends without reading its answers holds at most one waiting
 * request in the server's memory and the kernel buffers push back on it.
 *
 * <p>A request refused before it was whole (a {@link Refusal}: its body is over a limit or took too
 * long to arrive) waits its turn like any other, is answered, and ends the connection. One refused
 * from its head because its model's queue is full (an {@link EarlyAnswer}) waits its turn too, and
 * the connection goes on.
 *
 * <p>Every request gets the server's default deadline ({@code --http-default-deadline-secs}),
 * counted from when it arrived whole: if its route has not answered by then, the connection answers
 * it 503 at once ({@link RequestAnswer} decides between the two), marks it cancelled so that its
 * scheduler skips it if it is still queued, and serves the next request; a late answer is dropped.
 * One timer per connection at a time, on the connection's event loop, since only one request is
 * served at a time; it is cancelled once the answer is written.
 *
 * <p>Confined to the channel's event loop; answers may come from any thread and are written through
 * the channel, which hands them to the loop. Answers a worker gives inside a batch reach the loop
 * together, in one task per batch ({@link AnswerOutbox}).
 */
final class RestHandler extends ChannelInboundHandlerAdapter {
  /** How long the client gets to read the refusal of an oversized body before the close. */
  private static final int CLOSE_LINGER_SECONDS = 2;

  /**
   * A request refused as it arrived (its body over a limit, or too slow to arrive): answered with
   * {@code status} and {@code message}, then the close.
   */
  record Refusal(HttpResponseStatus status, String message) {
    Refusal {
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * A request refused from its head, its body dropped ({@link FullQueueGate}): answered with {@code
   * status}, keeping the connection open if the client asked to; {@code answered} runs once the
   * answer has been handed to the connection.
   */
  record EarlyAnswer(Status status, boolean keepAlive, Runnable answered) {
    EarlyAnswer {
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(answered, "answered");
    }
  }

  /** What answers a request: {@link RestApi#handle}, or a stand-in in tests. */
  @FunctionalInterface
  interface Routes {
    /**
     * Answers {@code request} exactly once through {@code reply}, from any thread.
     *
     * @param cancelled whether the answer is no longer wanted (the caller left, or the deadline
     *     passed)
     */
    void handle(
        FullHttpRequest request,
        ByteBufAllocator alloc,
        BooleanSupplier cancelled,
        Consumer<FullHttpResponse> reply);
  }

  /**
   * A request (a FullHttpRequest, Refusal or EarlyAnswer) and when it arrived, on the loop's clock.
   */
  private record Arrived(Object msg, long nanos) {}

  private final Routes routes;
  private final long deadlineNanos;
  private final String deadlineText;
  // In arrival order.
  private final Queue<Arrived> waiting = new ArrayDeque<>();
  private boolean busy;
  // The deadline of the request being served, if it has one and it has not been answered.
  private Future<?> deadlineTimer;
  // Set once the connection's last answer is decided: later requests are discarded unanswered.
  private boolean ending;

  /**
   * @param defaultDeadline how long a request may go unanswered; zero for no limit
   */
  RestHandler(Routes routes, Duration defaultDeadline) {
    this.routes = Objects.requireNonNull(routes, "routes");
    if (defaultDeadline.isNegative()) {
      throw new IllegalArgumentException(
          "defaultDeadline must not be negative, got " + defaultDeadline);
    }
    this.deadlineNanos = defaultDeadline.toNanos();
    this.deadlineText = RestServer.describe(defaultDeadline);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest)
        && !(msg instanceof Refusal)
        && !(msg instanceof EarlyAnswer)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (ending) {
      ReferenceCountUtil.release(msg);
      return;
    }
    Arrived arrived = new Arrived(msg, ctx.executor().ticker().nanoTime());
    if (busy) {
      waiting.add(arrived);
      ctx.channel().config().setAutoRead(false);
      return;
    }
    serve(ctx, arrived);
  }

  private void serve(ChannelHandlerContext ctx, Arrived arrived) {
    busy = true;
    Object msg = arrived.msg();
    if (msg instanceof Refusal refusal) {
      refuse(ctx, refusal);
      return;
    }
    if (msg instanceof EarlyAnswer early) {
      new RestApi.Answer(ctx.alloc(), r -> send(ctx, r, early.keepAlive())).error(early.status());
      early.answered().run();
      return;
    }
    FullHttpRequest request = (FullHttpRequest) msg;
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    if (!request.decoderResult().isSuccess()) {
      request.release();
      RestApi.Answer answer = new RestApi.Answer(ctx.alloc(), r -> send(ctx, r, false));
      answer.reply.accept(
          answer.error(HttpResponseStatus.BAD_REQUEST, malformed(request.decoderResult().cause())));
      return;
    }
    RequestAnswer answer = new RequestAnswer();
    if (deadlineNanos > 0) {
      long left = arrived.nanos() + deadlineNanos - ctx.executor().ticker().nanoTime();
      if (left <= 0) {
        // It waited its deadline out behind the requests before it on the connection.
        request.release();
        expire(ctx, answer, keepAlive);
        return;
      }
      deadlineTimer =
          ctx.executor().schedule(() -> expire(ctx, answer, keepAlive), left, TimeUnit.NANOSECONDS);
    }
    try {
      routes.handle(
          request,
          ctx.alloc(),
          () -> answer.expired() || !ctx.channel().isActive(),
          response -> {
            if (answer.claimForRoute()) {
              // From a worker inside a batch: written with the batch's other answers for this loop.
              AnswerOutbox.ofThisThread()
                  .send(ctx.executor(), () -> send(ctx, response, keepAlive));
            } else {
              response.release(); // the deadline has answered: this one comes too late
            }
          });
    } catch (RuntimeException e) {
      // handle answers every request itself; should it ever throw, the connection must still get
      // an answer and move on to its next request rather than stay busy for good.
      if (answer.claimForRoute()) {
        RestApi.Answer error = new RestApi.Answer(ctx.alloc(), r -> {});
        send(ctx, error.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error"), false);
      }
    } finally {
      request.release();
    }
  }

  /** The default deadline passed: answers 503 naming the flag, unless the route has answered. */
  private void expire(ChannelHandlerContext ctx, RequestAnswer answer, boolean keepAlive) {
    if (!answer.claimForDeadline()) {
      return;
    }
    Status status =
        Status.DEADLINE_EXCEEDED.withDescription(
            "the request did not complete within the server's default deadline of "
                + deadlineText
                + " (--http-default-deadline-secs)");
    new RestApi.Answer(ctx.alloc(), r -> send(ctx, r, keepAlive)).error(status);
  }

  /** Stops the deadline of the request just answered; on the event loop. */
  private void stopDeadline() {
    if (deadlineTimer != null) {
      deadlineTimer.cancel(false);
      deadlineTimer = null;
    }
  }

  private void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
    if (keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    } else {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    ctx.writeAndFlush(response)
        .addListener(
            future -> {
              if (!keepAlive || !future.isSuccess()) {
                ctx.close();
                return;
              }
              next(ctx);
            });
  }

  /** Answers a request refused as it arrived and ends the connection; on the event loop. */
  private void refuse(ChannelHandlerContext ctx, Refusal refusal) {
    ending = true;
    releaseWaiting();
    RestApi.Answer answer = new RestApi.Answer(ctx.alloc(), r -> {});
    FullHttpResponse response = answer.error(refusal.status(), refusal.message());
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(response).addListener(written -> closeAfterAnswer(ctx));
  }

  /**
   * Closes the connection once the client has had the refusal. Closing at once while the client is
   * still sending the rest of its body makes the kernel reset the connection, and the client may
   * then lose the answer: so the server stops writing, keeps reading (the aggregator discards the
   * rest of the oversized body) and closes when the client does, or after a bounded linger.
   */
  private static void closeAfterAnswer(ChannelHandlerContext ctx) {
    ctx.channel().config().setAutoRead(true);
    if (ctx.channel() instanceof SocketChannel socket && socket.isActive()) {
      socket.shutdownOutput();
      ctx.executor().schedule(() -> ctx.close(), CLOSE_LINGER_SECONDS, TimeUnit.SECONDS);
    } else {
      ctx.close();
    }
  }

  /** On the event loop, once an answer is written: serve the next request, or read again. */
  private void next(ChannelHandlerContext ctx) {
    stopDeadline();
    busy = false;
    Arrived arrived = waiting.poll();
    if (waiting.isEmpty() && !ctx.channel().config().isAutoRead()) {
      // Read again, to see the next request and a close while this one is in flight.
      ctx.channel().config().setAutoRead(true);
    }
    if (arrived != null) {
      serve(ctx, arrived);
    }
  }

  private void releaseWaiting() {
    Arrived arrived;
    while ((arrived = waiting.poll()) != null) {
      ReferenceCountUtil.release(arrived.msg());
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof IdleStateEvent && !busy) {
      ctx.close(); // keep-alive idle timeout
      return;
    }
    super.userEventTriggered(ctx, event);
  }

  /** The 400's message: Netty's reason, and the flag that raises the limit when one was passed. */
  private static String malformed(Throwable cause) {
    String message = "malformed HTTP request: " + cause.getMessage();
    // The decoder refuses a request line or header block over the limit with these; no other
    // limit of the codec is set.
    return cause instanceof TooLongFrameException
        ? message + " (use --http-max-header-size to increase the limit)"
        : message;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    // The request in flight, if any, is cancelled by the close itself; its deadline has no one to
    // answer.
    stopDeadline();
    releaseWaiting();
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A reset connection or a protocol error: nothing to answer on it any more.
    ctx.close();
  }
}
