package io.ringserve.server.internal.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.ringserve.server.GrpcSecurity;
import io.ringserve.server.internal.grpc.InferenceService;
import io.ringserve.server.internal.repository.ModelRepository;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The REST port: the KServe v2 / Open Inference Protocol over HTTP/1.1 (keep-alive, pipelining),
 * with Triton's extensions, the binary tensor data extension, and gzip/deflate in both directions
 * ({@code Content-Encoding}, {@code Accept-Encoding}). Netty's HTTP codec on its own event loops;
 * the routes are {@link RestApi}'s.
 *
 * <p>Limits: a request body (after decompression) over {@code maxInputBytes} is answered 400 and
 * the connection closed, as Triton's {@code --http-max-input-size}; the request line and headers
 * are bounded by {@link #MAX_HEADER_BYTES}; a connection idle for {@link #IDLE_TIMEOUT_SECONDS} is
 * closed. Thread-safe; {@link #close()} is idempotent.
 */
public final class RestServer implements AutoCloseable {
  /** Longest request line and header block accepted, as common HTTP servers bound them. */
  public static final int MAX_HEADER_BYTES = 16 * 1024;

  /** Seconds a keep-alive connection may sit idle before the server closes it. */
  public static final int IDLE_TIMEOUT_SECONDS = 120;

  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Channel channel;

  private RestServer(EventLoopGroup boss, EventLoopGroup workers, Channel channel) {
    this.boss = boss;
    this.workers = workers;
    this.channel = channel;
  }

  /**
   * Binds the port and starts serving.
   *
   * @param port the port, or 0 for an ephemeral one (see {@link #port()})
   * @param maxInputBytes the largest request body accepted, after decompression
   * @throws IOException if the port cannot be bound
   */
  public static RestServer start(
      String host,
      int port,
      int maxInputBytes,
      InferenceService service,
      ModelRepository repository)
      throws IOException {
    return start(host, port, maxInputBytes, service, repository, List.of());
  }

  /**
   * As above, serving the routes of each restricted group (Triton's {@code --http-restricted-api})
   * only to requests with its header.
   *
   * @throws IllegalArgumentException if a group is restricted more than once
   */
  public static RestServer start(
      String host,
      int port,
      int maxInputBytes,
      InferenceService service,
      ModelRepository repository,
      List<GrpcSecurity.Restriction> restrictions)
      throws IOException {
    Objects.requireNonNull(host, "host");
    if (maxInputBytes < 1) {
      throw new IllegalArgumentException("maxInputBytes must be >= 1, got " + maxInputBytes);
    }
    RestApi api = new RestApi(service, repository, new ApiRestrictions(restrictions));
    EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    EventLoopGroup workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    try {
      Channel channel =
          new ServerBootstrap()
              .group(boss, workers)
              .channel(NioServerSocketChannel.class)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ChannelPipeline p = ch.pipeline();
                      p.addLast(new IdleStateHandler(0, 0, IDLE_TIMEOUT_SECONDS, TimeUnit.SECONDS));
                      p.addLast(new HttpServerCodec(4096, MAX_HEADER_BYTES, 8192));
                      p.addLast(new HttpContentCompressor());
                      // No per-chunk cap here: the aggregator behind bounds the whole decompressed
                      // body.
                      p.addLast(new HttpContentDecompressor(0));
                      p.addLast(new BoundedAggregator(maxInputBytes));
                      p.addLast(new RestHandler(api));
                    }
                  })
              .bind(new InetSocketAddress(host, port))
              .syncUninterruptibly()
              .channel();
      return new RestServer(boss, workers, channel);
    } catch (RuntimeException e) {
      boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw new IOException(
          "cannot bind the HTTP port " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  /** The bound port: the one asked for, or the ephemeral one chosen for port 0. */
  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** Stops accepting and closes every connection. */
  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Answers an oversized request in Triton's manner: 400, saying which flag raises the limit. */
  private static final class BoundedAggregator extends HttpObjectAggregator {
    /** How long the client gets to read the refusal of an oversized body before the close. */
    private static final int CLOSE_LINGER_SECONDS = 2;

    private final int maxInputBytes;

    BoundedAggregator(int maxInputBytes) {
      super(maxInputBytes);
      this.maxInputBytes = maxInputBytes;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      RestApi.Answer answer = new RestApi.Answer(ctx.alloc(), r -> {});
      FullHttpResponse response =
          answer.error(
              HttpResponseStatus.BAD_REQUEST,
              "request body is larger than the maximum allowed value of "
                  + maxInputBytes
                  + " bytes; use --http-max-input-size to increase the limit");
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(written -> closeAfterAnswer(ctx));
    }

    /**
     * Closes the connection once the client has had the answer. Closing at once while the client is
     * still sending the rest of its body makes the kernel reset the connection, and the client may
     * then lose the answer: so the server stops writing, keeps reading (the aggregator discards the
     * rest of the oversized body) and closes when the client does, or after a bounded linger.
     */
    private static void closeAfterAnswer(ChannelHandlerContext ctx) {
      if (ctx.channel() instanceof SocketChannel socket && socket.isActive()) {
        socket.shutdownOutput();
        ctx.executor().schedule(() -> ctx.close(), CLOSE_LINGER_SECONDS, TimeUnit.SECONDS);
      } else {
        ctx.close();
      }
    }
  }
}
