package io.ringserve.server.internal.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.ringserve.server.GrpcSecurity;
import io.ringserve.server.HttpLimits;
import io.ringserve.server.internal.grpc.InferenceService;
import io.ringserve.server.internal.repository.ModelRepository;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The REST port: the KServe v2 / Open Inference Protocol over HTTP/1.1 (keep-alive, pipelining),
 * with Triton's extensions, the binary tensor data extension, and gzip/deflate in both directions
 * ({@code Content-Encoding}, {@code Accept-Encoding}). Netty's HTTP codec on its own event loops;
 * the routes are {@link RestApi}'s.
 *
 * <p>Limits ({@link Limits}, {@link HttpLimits}): a request body (after decompression) over the
 * input limit is answered 400 and the connection closed, as Triton's {@code --http-max-input-size};
 * one that would take the bodies held by all connections past their budget is answered 503, and one
 * that takes too long to arrive 408 ({@link BodyAggregator}); connections beyond the limit are
 * closed as accepted ({@link HttpConnectionLimit}); a request's JSON is bounded in values ({@link
 * RequestJson}); the request line and headers are bounded; a connection idle for the idle timeout
 * is closed; a request not answered within the default deadline is answered 503 ({@link
 * RestHandler}). Large JSON bodies are parsed on a bounded pool ({@link BodyParsers}), never on an
 * event loop. Thread-safe; {@link #close()} is idempotent.
 */
public final class RestServer implements AutoCloseable {
  /** Longest request line and header block accepted by default, as common HTTP servers bound it. */
  public static final int DEFAULT_MAX_HEADER_BYTES = 16 * 1024;

  /** Seconds a keep-alive connection may sit idle by default before the server closes it. */
  public static final int DEFAULT_IDLE_TIMEOUT_SECONDS = 120;

  /** Seconds a request may go unanswered by default: as gRPC calls without a deadline. */
  public static final int DEFAULT_DEADLINE_SECONDS = 60;

  /**
   * What one connection may ask of the server.
   *
   * @param maxInputBytes the largest request body accepted, after decompression
   * @param maxHeaderBytes the longest request line and header block accepted
   * @param idleTimeout how long a keep-alive connection may sit idle (at least one second)
   * @param defaultDeadline how long a request may go unanswered before it is answered 503 (its
   *     model may never return); zero for no limit
   */
  public record Limits(
      int maxInputBytes, int maxHeaderBytes, Duration idleTimeout, Duration defaultDeadline) {
    public Limits {
      if (maxInputBytes < 1) {
        throw new IllegalArgumentException("maxInputBytes must be >= 1, got " + maxInputBytes);
      }
      if (maxHeaderBytes < 1) {
        throw new IllegalArgumentException("maxHeaderBytes must be >= 1, got " + maxHeaderBytes);
      }
      Objects.requireNonNull(idleTimeout, "idleTimeout");
      if (idleTimeout.toSeconds() < 1) {
        throw new IllegalArgumentException(
            "idleTimeout must be at least one second, got " + idleTimeout);
      }
      Objects.requireNonNull(defaultDeadline, "defaultDeadline");
      if (defaultDeadline.isNegative()
          || defaultDeadline.compareTo(Duration.ofNanos(Long.MAX_VALUE)) > 0) {
        throw new IllegalArgumentException(
            "defaultDeadline must be between zero and "
                + Long.MAX_VALUE
                + " ns, got "
                + defaultDeadline);
      }
    }
  }

  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Channel channel;
  private final BodyParsers parsers;

  private RestServer(
      EventLoopGroup boss, EventLoopGroup workers, Channel channel, BodyParsers parsers) {
    this.boss = boss;
    this.workers = workers;
    this.channel = channel;
    this.parsers = parsers;
  }

  /**
   * Binds the port and starts serving.
   *
   * @param port the port, or 0 for an ephemeral one (see {@link #port()})
   * @throws IOException if the port cannot be bound
   */
  public static RestServer start(
      String host, int port, Limits limits, InferenceService service, ModelRepository repository)
      throws IOException {
    return start(host, port, limits, HttpLimits.defaults(), service, repository, List.of());
  }

  /**
   * As above, within {@code shared} (what all connections together may hold), serving the routes of
   * each restricted group (Triton's {@code --http-restricted-api}) only to requests with its
   * header.
   *
   * @throws IllegalArgumentException if a group is restricted more than once
   */
  public static RestServer start(
      String host,
      int port,
      Limits limits,
      HttpLimits shared,
      InferenceService service,
      ModelRepository repository,
      List<GrpcSecurity.Restriction> restrictions)
      throws IOException {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(shared, "shared");
    BodyParsers parsers = BodyParsers.start();
    RestApi api =
        new RestApi(
            service,
            repository,
            parsers,
            new ApiRestrictions(restrictions),
            RequestJson.limitedTo(shared.maxRequestElements()));
    BodyAggregator.Budget bodies = new BodyAggregator.Budget(shared.maxBufferedInputBytes());
    HttpConnectionLimit connections =
        new HttpConnectionLimit(shared.maxConnections(), "--http-max-connections");
    Duration receiveTimeout = shared.inputReceiveTimeout();
    int maxInputBytes = limits.maxInputBytes();
    int maxHeaderBytes = limits.maxHeaderBytes();
    long idleSeconds = limits.idleTimeout().toSeconds();
    Duration deadline = limits.defaultDeadline();
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
                      if (!connections.admit(ch)) {
                        return;
                      }
                      ChannelPipeline p = ch.pipeline();
                      p.addLast(new IdleStateHandler(0, 0, idleSeconds, TimeUnit.SECONDS));
                      // The initial line is bounded by the header limit too: a long URI is as
                      // much a header as any other.
                      HeadTimeout heads = new HeadTimeout(receiveTimeout);
                      p.addLast(heads.bytesIn());
                      p.addLast(new HttpServerCodec(maxHeaderBytes, maxHeaderBytes, 8192));
                      p.addLast(heads.headsOut());
                      // The compressor pairs each answer with a request it saw: it sees them all.
                      p.addLast(new BoundedCompressor());
                      p.addLast(new TransferCodings());
                      // Before the decompressor: a refused body is dropped as it arrives, unread.
                      p.addLast(new FullQueueGate(api::fullQueueRefusal, maxInputBytes));
                      // No per-chunk cap here: the aggregator behind bounds the whole decompressed
                      // body.
                      p.addLast(new HttpContentDecompressor(0));
                      p.addLast(new BodyAggregator(maxInputBytes, bodies, receiveTimeout));
                      p.addLast(new RestHandler(api::handle, deadline));
                    }
                  })
              .bind(new InetSocketAddress(host, port))
              .syncUninterruptibly()
              .channel();
      return new RestServer(boss, workers, channel, parsers);
    } catch (Exception e) {
      // A BindException too: Netty rethrows it unchecked-looking, past a RuntimeException catch.
      boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      parsers.close();
      throw new IOException(
          "cannot bind the HTTP port " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  /** The bound port: the one asked for, or the ephemeral one chosen for port 0. */
  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** A time limit as its flag's message gives it: whole seconds as such, else milliseconds. */
  static String describe(Duration limit) {
    return limit.toMillis() % 1000 == 0 ? limit.toSeconds() + " s" : limit.toMillis() + " ms";
  }

  /** Stops accepting and closes every connection. */
  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    parsers.close();
  }
}
