package io.ringserve.server.internal.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/1.1 connection: answers its requests one at a time, in order, as HTTP/1.1 requires of
 * pipelined requests. While a request is in flight the connection keeps reading, so that it sees
 * the client close and marks the request cancelled (the scheduler then drops it, as it does a
 * cancelled gRPC call); once a second, pipelined request has arrived behind it, the connection
 * stops reading, so a client that sends without reading its answers holds at most one waiting
 * request in the server's memory and the kernel buffers push back on it.
 *
 * <p>A request refused before it was whole (a {@link Refusal}: its body is over the limit) waits
 * its turn like any other, is answered, and ends the connection.
 *
 * <p>Confined to the channel's event loop; answers may come from any thread and are written through
 * the channel, which hands them to the loop.
 */
final class RestHandler extends ChannelInboundHandlerAdapter {
  /** How long the client gets to read the refusal of an oversized body before the close. */
  private static final int CLOSE_LINGER_SECONDS = 2;

  /** A request refused as it arrived: answered 400 with {@code message}, then the close. */
  record Refusal(String message) {
    Refusal {
      Objects.requireNonNull(message, "message");
    }
  }

  private final RestApi api;
  // FullHttpRequest or Refusal, in arrival order.
  private final Queue<Object> waiting = new ArrayDeque<>();
  private boolean busy;
  // Set once the connection's last answer is decided: later requests are discarded unanswered.
  private boolean ending;

  RestHandler(RestApi api) {
    this.api = api;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest) && !(msg instanceof Refusal)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (ending) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (busy) {
      waiting.add(msg);
      ctx.channel().config().setAutoRead(false);
      return;
    }
    serve(ctx, msg);
  }

  private void serve(ChannelHandlerContext ctx, Object msg) {
    busy = true;
    if (msg instanceof Refusal refusal) {
      refuse(ctx, refusal);
      return;
    }
    FullHttpRequest request = (FullHttpRequest) msg;
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    if (!request.decoderResult().isSuccess()) {
      request.release();
      RestApi.Answer answer = new RestApi.Answer(ctx.alloc(), r -> send(ctx, r, false));
      answer.reply.accept(
          answer.error(
              HttpResponseStatus.BAD_REQUEST,
              "malformed HTTP request: " + request.decoderResult().cause().getMessage()));
      return;
    }
    try {
      api.handle(
          request,
          ctx.alloc(),
          () -> !ctx.channel().isActive(),
          response -> send(ctx, response, keepAlive));
    } catch (RuntimeException e) {
      // handle answers every request itself; should it ever throw, the connection must still get
      // an answer and move on to its next request rather than stay busy for good.
      RestApi.Answer answer = new RestApi.Answer(ctx.alloc(), r -> send(ctx, r, false));
      answer.reply.accept(answer.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error"));
    } finally {
      request.release();
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

  /** Answers an oversized request and ends the connection; on the event loop. */
  private void refuse(ChannelHandlerContext ctx, Refusal refusal) {
    ending = true;
    while (!waiting.isEmpty()) {
      ReferenceCountUtil.release(waiting.poll());
    }
    RestApi.Answer answer = new RestApi.Answer(ctx.alloc(), r -> {});
    FullHttpResponse response = answer.error(HttpResponseStatus.BAD_REQUEST, refusal.message());
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
    busy = false;
    Object msg = waiting.poll();
    if (waiting.isEmpty() && !ctx.channel().config().isAutoRead()) {
      // Read again, to see the next request and a close while this one is in flight.
      ctx.channel().config().setAutoRead(true);
    }
    if (msg != null) {
      serve(ctx, msg);
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

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    Object msg;
    while ((msg = waiting.poll()) != null) {
      ReferenceCountUtil.release(msg);
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A reset connection or a protocol error: nothing to answer on it any more.
    ctx.close();
  }
}
