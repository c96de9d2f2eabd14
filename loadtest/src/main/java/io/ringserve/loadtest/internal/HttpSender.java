package io.ringserve.loadtest.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import inference.GrpcService.ModelInferRequest;
import io.grpc.Status;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.ringserve.loadtest.Target;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;

/**
 * Sends each call as a KServe v2 REST inference request over HTTP/1.1 keep-alive connections, as
 * perf_analyzer's {@code -i http} and Triton's HTTP client do: one call in flight per connection
 * (HTTP/1.1 answers in order, so calls sharing a connection would wait on each other), and an idle
 * connection reused before a new one is opened, so a closed loop at concurrency {@code c} holds
 * {@code c} connections. Bodies are encoded once per pooled request ({@link HttpBodies}); per call,
 * one request object and its headers. Answers are read and dropped, but for a failure's {@code
 * {"error": ...}} text, reported as {@code HTTP <status>: <text>} under the nearest gRPC code.
 *
 * <p>Runs on its own Netty event loops (one per core). Thread-safe.
 */
public final class HttpSender implements CallSender {
  /** Most of a failure's body kept for its error text. */
  private static final int MAX_ERROR_BYTES = 1024;

  private final EventLoopGroup group;
  private final Bootstrap bootstrap;
  private final String host;
  private final int port;
  private final String hostHeader;
  private final String path;
  private final Map<String, String> headers;
  private final long deadlineNanos;
  private final Map<ModelInferRequest, HttpBodies.Body> bodies;
  private final Deque<Channel> idle = new ConcurrentLinkedDeque<>();
  private final Set<Channel> open = ConcurrentHashMap.newKeySet();

  /**
   * @param pool the requests {@link #send} will be given; each is encoded here, once
   * @param deadline per-call deadline, {@link Duration#ZERO} for none
   */
  public HttpSender(
      Target target, String model, String version, RequestPool pool, Duration deadline) {
    Objects.requireNonNull(target, "target");
    this.host = target.host();
    this.port = target.port();
    this.hostHeader = HttpModelProbe.hostPort(target);
    this.path = modelPath(model, version) + "/infer";
    this.headers = target.headers();
    this.deadlineNanos = Objects.requireNonNull(deadline, "deadline").toNanos();
    Map<ModelInferRequest, HttpBodies.Body> encoded = new IdentityHashMap<>();
    for (int i = 0; i < pool.size(); i++) {
      ModelInferRequest r = pool.get(i);
      encoded.computeIfAbsent(r, HttpBodies::encode);
    }
    this.bodies = encoded;
    this.group =
        new MultiThreadIoEventLoopGroup(
            Runtime.getRuntime().availableProcessors(),
            r -> {
              Thread t = new Thread(r, "ringserve-loadtest-http");
              t.setDaemon(true);
              return t;
            },
            NioIoHandler.newFactory());
    this.bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, target.connectTimeout().toMillis()))
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new HttpClientCodec());
                    ch.pipeline().addLast(new Connection());
                  }
                });
  }

  /** {@code /v2/models/{m}[/versions/{v}]}, each segment percent-encoded. */
  static String modelPath(String model, String version) {
    String p = "/v2/models/" + HttpModelProbe.encode(model);
    return version.isEmpty() ? p : p + "/versions/" + HttpModelProbe.encode(version);
  }

  @Override
  public void send(int lane, ModelInferRequest request, Completion done) {
    HttpBodies.Body body = bodies.get(request);
    if (body == null) {
      body = HttpBodies.encode(request);
    }
    Channel ch;
    while ((ch = idle.pollFirst()) != null) {
      if (ch.isActive()) {
        start(ch, body, done);
        return;
      }
    }
    HttpBodies.Body b = body;
    ChannelFuture connect = bootstrap.connect(host, port);
    connect.addListener(
        f -> {
          if (f.isSuccess()) {
            open.add(connect.channel());
            connect.channel().closeFuture().addListener(c -> open.remove(connect.channel()));
            start(connect.channel(), b, done);
          } else {
            Throwable t = f.cause();
            done.complete(
                Status.Code.UNAVAILABLE,
                "HTTP connect to " + hostHeader + " failed: " + (t == null ? "?" : t.getMessage()));
          }
        });
  }

  private void start(Channel ch, HttpBodies.Body body, Completion done) {
    FullHttpRequest request =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, HttpMethod.POST, path, Unpooled.wrappedBuffer(body.bytes()));
    request.headers().set(HttpHeaderNames.HOST, hostHeader);
    request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.bytes().length);
    if (body.headerLength() >= 0) {
      request
          .headers()
          .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
      request.headers().setInt("Inference-Header-Content-Length", body.headerLength());
    } else {
      request.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    }
    headers.forEach((k, v) -> request.headers().set(k, v));
    ch.pipeline().get(Connection.class).begin(done);
    ch.writeAndFlush(request)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                ch.pipeline()
                    .get(Connection.class)
                    .finish(
                        Status.Code.UNAVAILABLE,
                        "HTTP write failed: " + (f.cause() == null ? "?" : f.cause().getMessage()));
                ch.close();
              }
            });
  }

  /** Closes every connection; calls in flight complete as failed. */
  @Override
  public void close() {
    for (Channel ch : open) {
      ch.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** The text of a failure's {@code {"error": "..."}} body, or the body itself, shortened. */
  static String errorText(String body) {
    String text = body == null ? "" : body.strip();
    try {
      JsonElement e = JsonParser.parseString(text);
      if (e.isJsonObject() && e.getAsJsonObject().has("error")) {
        text = e.getAsJsonObject().get("error").getAsString();
      }
    } catch (RuntimeException notJson) {
      // Keep the raw text: a proxy's HTML page says as much as it says.
    }
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }

  /** The gRPC code nearest to an HTTP status, as Triton maps its errors both ways. */
  static Status.Code code(int httpStatus) {
    return switch (httpStatus) {
      case 200 -> Status.Code.OK;
      case 400 -> Status.Code.INVALID_ARGUMENT;
      case 404 -> Status.Code.NOT_FOUND;
      case 408, 504 -> Status.Code.DEADLINE_EXCEEDED;
      case 429 -> Status.Code.RESOURCE_EXHAUSTED;
      case 500 -> Status.Code.INTERNAL;
      case 501 -> Status.Code.UNIMPLEMENTED;
      case 502, 503 -> Status.Code.UNAVAILABLE;
      default -> Status.Code.UNKNOWN;
    };
  }

  /**
   * The one call in flight on a connection. {@link #begin} runs on the sender's thread before the
   * request is written; everything else on the channel's event loop, which sees the fields set by
   * {@code begin} because the write is handed to it after them. Once a call's answer is read the
   * connection goes back to the idle set, and the next {@code begin} may run on another thread
   * while the event loop is still completing the call: the event loop reads nothing of this state
   * after that point.
   */
  private final class Connection extends SimpleChannelInboundHandler<HttpObject> {
    private Channel channel;
    private Completion pending;
    private ScheduledFuture<?> timeout;
    private int status;
    private boolean keepAlive;
    private ByteBuf error;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      // Before the connect listener starts the first call: Netty completes the connect future
      // before it fires channelActive.
      channel = ctx.channel();
    }

    void begin(Completion done) {
      pending = done;
      status = 0;
      if (deadlineNanos > 0) {
        timeout =
            channel
                .eventLoop()
                .schedule(
                    () -> {
                      if (pending == done) {
                        finish(Status.Code.DEADLINE_EXCEEDED, "HTTP deadline exceeded");
                        channel.close();
                      }
                    },
                    deadlineNanos,
                    TimeUnit.NANOSECONDS);
      }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (msg instanceof HttpResponse response) {
        status = response.status().code();
        keepAlive = HttpUtil.isKeepAlive(response);
        if (status != 200) {
          error = ctx.alloc().heapBuffer(256);
        }
      }
      if (msg instanceof HttpContent content && error != null) {
        ByteBuf c = content.content();
        error.writeBytes(
            c,
            c.readerIndex(),
            Math.min(c.readableBytes(), MAX_ERROR_BYTES - error.readableBytes()));
      }
      if (msg instanceof LastHttpContent) {
        Completion done = take();
        if (done == null) {
          return; // an answer after the call gave up on it
        }
        // Read before the connection is offered: from then on another thread may start the next
        // call on it, which resets these fields.
        Status.Code code = code(status);
        String message = null;
        if (error != null) {
          message = "HTTP " + status + ": " + errorText(error.toString(StandardCharsets.UTF_8));
          error.release();
          error = null;
        }
        // Offered for the next call only once this call is taken off it, and before the
        // completion starts that next call (which would otherwise open another connection).
        if (keepAlive && channel.isActive()) {
          idle.offerFirst(channel);
        } else {
          channel.close();
        }
        done.complete(code, message);
      }
    }

    /** Ends the call in flight, if any, with {@code code}. */
    void finish(Status.Code code, String message) {
      Completion done = take();
      if (done != null) {
        done.complete(code, message);
      }
    }

    private Completion take() {
      Completion done = pending;
      pending = null;
      if (timeout != null) {
        timeout.cancel(false);
        timeout = null;
      }
      return done;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      if (error != null) {
        error.release();
        error = null;
      }
      finish(Status.Code.UNAVAILABLE, "HTTP connection closed by the server mid-call");
      super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      finish(Status.Code.UNAVAILABLE, "HTTP connection failed: " + cause.getMessage());
      ctx.close();
    }
  }
}
