package io.ringserve.server.internal.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.ringserve.server.internal.log.Reasons;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gathers a request's (decompressed) body into one message, framed by {@code Content-Length} or
 * chunked (any other {@code Transfer-Encoding} is refused 501 and ends the connection), within
 * three limits: the body's own size ({@code --http-max-input-size}: 400, as Triton), the bytes of
 * bodies all connections hold together ({@code --http-max-buffered-input-bytes}: 503, the server is
 * busy), and the time the body takes to arrive after its head ({@code
 * --http-input-receive-timeout-secs}: 408). A refusal is handed on to {@link RestHandler} as a
 * {@link RestHandler.Refusal}, so that it is answered in request order; the partial body is let go
 * at once and the rest of the connection's input dropped.
 *
 * <p>A body holds its bytes of the shared budget from their arrival until the gathered request is
 * released (parsed, refused, or its connection closed): the budget is given back when its buffer is
 * freed, however that happens. Confined to the channel's event loop.
 */
final class BodyAggregator extends HttpObjectAggregator {
  /** Bytes of request bodies that every connection's aggregator together may hold. Thread-safe. */
  static final class Budget {
    private final long limit;
    private final AtomicLong free;

    Budget(long limit) {
      if (limit < 1) {
        throw new IllegalArgumentException("limit must be >= 1, got " + limit);
      }
      this.limit = limit;
      this.free = new AtomicLong(limit);
    }

    boolean take(long bytes) {
      long left;
      do {
        left = free.get();
        if (left < bytes) {
          return false;
        }
      } while (!free.compareAndSet(left, left - bytes));
      return true;
    }

    void give(long bytes) {
      free.addAndGet(bytes);
    }
  }

  private final int maxInputBytes;
  private final Budget budget;
  private final Duration receiveTimeout;
  // The body being gathered, or null between requests.
  private HeldBody body;
  private Future<?> receiveTimer;
  // Set once this connection's input is refused: the rest of it is dropped.
  private boolean refused;

  /**
   * @param receiveTimeout time from a request's head to its body's last byte; zero for none
   */
  BodyAggregator(int maxInputBytes, Budget budget, Duration receiveTimeout) {
    super(maxInputBytes);
    this.maxInputBytes = maxInputBytes;
    this.budget = Objects.requireNonNull(budget, "budget");
    this.receiveTimeout = Objects.requireNonNull(receiveTimeout, "receiveTimeout");
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, HttpObject msg, List<Object> out)
      throws Exception {
    if (refused) {
      return; // released by the decoder once this returns
    }
    if (msg instanceof HttpMessage) {
      // A new message: whatever the last one left (a body cut short by an error upstream) is not
      // this one's.
      endOfBody();
    }
    if (msg instanceof HttpContent content && body != null && !isHandlingOversizedMessage()) {
      int bytes = content.content().readableBytes();
      // Bytes the aggregator is about to add: over the input limit it refuses the body itself.
      if (body.readableBytes() <= maxInputBytes - bytes) {
        if (body.readableBytes() + (long) bytes > budget.limit) {
          // More than every body together may hold: waiting would not help.
          refuse(
              ctx,
              HttpResponseStatus.BAD_REQUEST,
              "request body is larger than the "
                  + budget.limit
                  + " bytes all request bodies together may hold; raise"
                  + " --http-max-buffered-input-bytes (or the heap)");
          return;
        }
        if (!budget.take(bytes)) {
          refuse(
              ctx,
              HttpResponseStatus.SERVICE_UNAVAILABLE,
              "the server holds as many request bodies as it may ("
                  + budget.limit
                  + " bytes, --http-max-buffered-input-bytes); try again later");
          return;
        }
        body.hold(bytes);
      }
    }
    try {
      super.decode(ctx, msg, out);
    } catch (Exception e) {
      endOfBody();
      throw e;
    }
  }

  @Override
  protected void finishAggregation(FullHttpMessage aggregated) throws Exception {
    endOfBody();
    super.finishAggregation(aggregated);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
    if (Reasons.anyCause(cause, DecompressionException.class::isInstance)) {
      // The decompressor before this stays broken for the rest of the body, failing each chunk:
      // one answer, then the rest of the connection's input is dropped.
      refuse(
          ctx,
          HttpResponseStatus.BAD_REQUEST,
          "the request body is not valid data of its Content-Encoding");
      return;
    }
    super.exceptionCaught(ctx, cause);
  }

  @Override
  protected FullHttpMessage beginAggregation(HttpMessage start, ByteBuf content) throws Exception {
    if (!(content instanceof CompositeByteBuf empty) || empty.isReadable()) {
      // A message that failed to decode, handed on whole: nothing to gather or time.
      return super.beginAggregation(start, content);
    }
    body = new HeldBody(empty.alloc(), empty.isDirect(), maxCumulationBufferComponents(), budget);
    empty.release();
    if (!receiveTimeout.isZero()) {
      ChannelHandlerContext ctx = ctx();
      receiveTimer =
          ctx.executor()
              .schedule(
                  () ->
                      refuse(
                          ctx,
                          HttpResponseStatus.REQUEST_TIMEOUT,
                          "the request body did not arrive within "
                              + RestServer.describe(receiveTimeout)
                              + " of its head (--http-input-receive-timeout-secs)"),
                  receiveTimeout.toNanos(),
                  TimeUnit.NANOSECONDS);
    }
    return super.beginAggregation(start, body);
  }

  private void refuse(ChannelHandlerContext ctx, HttpResponseStatus status, String message) {
    if (refused) {
      return;
    }
    refused = true;
    endOfBody();
    releaseCurrentMessage();
    ctx.fireChannelRead(new RestHandler.Refusal(status, message));
  }

  private void endOfBody() {
    body = null;
    if (receiveTimer != null) {
      receiveTimer.cancel(false);
      receiveTimer = null;
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) throws Exception {
    endOfBody();
    super.handlerRemoved(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    endOfBody();
    super.channelInactive(ctx);
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    endOfBody();
    refused = true; // the connection ends after the answer: what follows is not gathered
    ctx.fireChannelRead(
        new RestHandler.Refusal(
            HttpResponseStatus.BAD_REQUEST,
            "request body is larger than the maximum allowed value of "
                + maxInputBytes
                + " bytes; use --http-max-input-size to increase the limit"));
  }

  /** A body's buffer that gives its bytes back to the budget when it is freed. */
  private static final class HeldBody extends CompositeByteBuf {
    private final Budget budget;
    private long held;

    HeldBody(ByteBufAllocator alloc, boolean direct, int maxComponents, Budget budget) {
      super(alloc, direct, maxComponents);
      this.budget = budget;
    }

    void hold(long bytes) {
      if (refCnt() == 0) {
        budget.give(bytes); // freed already: nothing will give these back
        return;
      }
      held += bytes;
    }

    @Override
    protected void deallocate() {
      super.deallocate();
      budget.give(held);
      held = 0;
    }
  }
}
