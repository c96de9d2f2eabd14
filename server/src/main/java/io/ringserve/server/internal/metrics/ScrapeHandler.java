package io.ringserve.server.internal.metrics;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.prometheus.metrics.exporter.common.PrometheusHttpExchange;
import io.prometheus.metrics.exporter.common.PrometheusHttpRequest;
import io.prometheus.metrics.exporter.common.PrometheusHttpResponse;
import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One connection to the metrics port: answers {@code GET /metrics} through the Prometheus client's
 * scrape handler (its formats, gzip and {@code name[]} filters) and every other path 404. A
 * connection must deliver each whole request within {@link #REQUEST_TIMEOUT_SECONDS} of opening or
 * of its previous answer, else it is closed: a client that sends half a request, or nothing, holds
 * a socket for that long and never a thread. Confined to the channel's event loop.
 */
final class ScrapeHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  /** Time a connection gets to send each whole request; a scrape's client sends at once. */
  static final int REQUEST_TIMEOUT_SECONDS = 10;

  private final PrometheusScrapeHandler scrapes;
  private ScheduledFuture<?> requestTimer;

  ScrapeHandler(PrometheusScrapeHandler scrapes) {
    this.scrapes = scrapes;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    awaitRequest(ctx);
    super.channelActive(ctx);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    // The answer must be written (read by the client) within the same time: a client that never
    // reads would otherwise hold its connection for good.
    awaitRequest(ctx);
    boolean keepAlive = HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
    FullHttpResponse response;
    if (!request.decoderResult().isSuccess()) {
      response = text(HttpResponseStatus.BAD_REQUEST, "Bad Request\n");
    } else if (!new QueryStringDecoder(request.uri()).path().equals("/metrics")) {
      // A Triton-style probe pointed here at /v2/health/ready must fail rather than pass.
      response = text(HttpResponseStatus.NOT_FOUND, "Not Found; metrics are at /metrics\n");
    } else {
      response = scrape(request);
    }
    HttpUtil.setKeepAlive(response, keepAlive);
    ctx.writeAndFlush(response)
        .addListener(
            keepAlive
                ? (ChannelFutureListener) f -> awaitRequest(ctx)
                : ChannelFutureListener.CLOSE);
  }

  private FullHttpResponse scrape(FullHttpRequest request) {
    Exchange exchange = new Exchange(request);
    try {
      scrapes.handleRequest(exchange);
    } catch (IOException | RuntimeException e) {
      exchange.release();
      return text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "cannot read the metrics\n");
    }
    return exchange.response();
  }

  private void awaitRequest(ChannelHandlerContext ctx) {
    stopTimer();
    if (ctx.channel().isActive()) {
      requestTimer =
          ctx.executor().schedule(() -> ctx.close(), REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
  }

  private void stopTimer() {
    if (requestTimer != null) {
      requestTimer.cancel(false);
      requestTimer = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    stopTimer();
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A reset connection or a malformed stream: nothing to answer on it any more.
    ctx.close();
  }

  private static FullHttpResponse text(HttpResponseStatus status, String body) {
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
    return r;
  }

  /** The scrape handler's view of one request, and the answer it writes, held in memory. */
  private static final class Exchange implements PrometheusHttpExchange {
    private final FullHttpRequest request;
    private final QueryStringDecoder uri;
    private final ByteBuf body = Unpooled.buffer();
    private final FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);

    Exchange(FullHttpRequest request) {
      this.request = request;
      this.uri = new QueryStringDecoder(request.uri());
    }

    FullHttpResponse response() {
      response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
      return response;
    }

    void release() {
      response.release();
    }

    @Override
    public PrometheusHttpRequest getRequest() {
      return new PrometheusHttpRequest() {
        @Override
        public String getQueryString() {
          String raw = uri.rawQuery();
          return raw.isEmpty() ? null : raw;
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
          return Collections.enumeration(request.headers().getAll(name));
        }

        @Override
        public String getMethod() {
          return request.method().name();
        }

        @Override
        public String getRequestPath() {
          return uri.path();
        }
      };
    }

    @Override
    public PrometheusHttpResponse getResponse() {
      return new PrometheusHttpResponse() {
        @Override
        public void setHeader(String name, String value) {
          response.headers().set(name, value);
        }

        @Override
        public OutputStream sendHeadersAndGetBody(int status, int contentLength) {
          response.setStatus(HttpResponseStatus.valueOf(status));
          return new ByteBufOutputStream(body);
        }
      };
    }

    @Override
    public void handleException(IOException e) throws IOException {
      throw e;
    }

    @Override
    public void handleException(RuntimeException e) {
      throw e;
    }

    @Override
    public void close() {
      // The answer is written by the handler once the scrape handler has returned.
    }
  }
}
