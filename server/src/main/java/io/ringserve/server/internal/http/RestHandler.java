package io.ringserve.server.internal.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * One HTTP/1.1 connection: answers its requests one at a time, in order, as HTTP/1.1 requires of
 * pipelined requests. While a request is in flight the connection keeps reading, so that it sees
 * the client close and marks the request cancelled (the scheduler then drops it, as it does a
 * cancelled gRPC call); once a second, pipelined request has arrived behind it, the connection
 * stops reading, so a client that sends without reading its answers holds at most one waiting
 * request in the server's memory and the kernel buffers push back on it.
 *
 * <p>Confined to the channel's event loop; answers may come from any thread and are written through
 * the channel, which hands them to the loop.
 */
final class RestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private final RestApi api;
  private final Queue<FullHttpRequest> waiting = new ArrayDeque<>();
  private boolean busy;

  RestHandler(RestApi api) {
    super(false);
    this.api = api;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (busy) {
      waiting.add(request);
      ctx.channel().config().setAutoRead(false);
      return;
    }
    serve(ctx, request);
  }

  private void serve(ChannelHandlerContext ctx, FullHttpRequest request) {
    busy = true;
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

  /** On the event loop, once an answer is written: serve the next request, or read again. */
  private void next(ChannelHandlerContext ctx) {
    busy = false;
    FullHttpRequest request = waiting.poll();
    if (waiting.isEmpty() && !ctx.channel().config().isAutoRead()) {
      // Read again, to see the next request and a close while this one is in flight.
      ctx.channel().config().setAutoRead(true);
    }
    if (request != null) {
      serve(ctx, request);
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
    FullHttpRequest request;
    while ((request = waiting.poll()) != null) {
      request.release();
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A reset connection or a protocol error: nothing to answer on it any more.
    ctx.close();
  }
}
