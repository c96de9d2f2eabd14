package io.ringserve.server.internal.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection whose request line and headers do not arrive within the limit of their first
 * byte: the idle timeout restarts on every byte, so a client trickling a header line a second would
 * otherwise hold its connection (one of {@code --http-max-connections}) for good. Two handlers on
 * one connection share this state: {@link #bytesIn()} before the HTTP codec starts the clock on a
 * request's first byte, {@link #headsOut()} after it stops the clock once the head is decoded and
 * rearms it after the request's last content. The body's own time is {@link BodyAggregator}'s.
 * Confined to the channel's event loop.
 */
final class HeadTimeout {
  private final Duration limit;
  private Future<?> timer;
  private boolean inRequest;

  /**
   * @param limit zero for none
   */
  HeadTimeout(Duration limit) {
    this.limit = limit;
  }

  /** Before the codec: a byte while no request is under way starts the clock. */
  ChannelHandler bytesIn() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf && !inRequest && timer == null && !limit.isZero()) {
          timer = ctx.executor().schedule(() -> ctx.close(), limit.toNanos(), TimeUnit.NANOSECONDS);
        }
        ctx.fireChannelRead(msg);
      }

      @Override
      public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stop();
        super.channelInactive(ctx);
      }
    };
  }

  /**
   * After the codec: a decoded head stops the clock; the end of its request lets it start again.
   */
  ChannelHandler headsOut() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
          stop();
          inRequest = true;
        }
        if (msg instanceof LastHttpContent) {
          inRequest = false;
        }
        ctx.fireChannelRead(msg);
      }
    };
  }

  private void stop() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
