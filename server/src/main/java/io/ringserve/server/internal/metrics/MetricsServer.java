package io.ringserve.server.internal.metrics;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.ringserve.server.internal.http.HttpConnectionLimit;
import io.ringserve.server.internal.repository.ModelRepository;
import io.ringserve.server.internal.repository.ServedModel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The HTTP endpoint Prometheus scrapes, Triton's {@code --metrics-port}: {@code GET /metrics}
 * answers with the per-model metrics of {@link TritonMetricsCollector} and the JVM's own metrics
 * (memory, GC, threads, class loading, ...), in whichever of the Prometheus text, OpenMetrics text
 * or Prometheus protobuf formats the scraper asks for. Every other path answers 404.
 *
 * <p>Each server has a registry of its own, not the library's global default, so that several can
 * run in one JVM (tests do) and nothing else in the process can put metrics on this endpoint.
 *
 * <p>Served by Netty on one event-loop thread of its own ({@link ScrapeHandler}): a request is read
 * without holding a thread, so clients that send half a request cannot block the scrapes of others
 * (each connection gets {@link ScrapeHandler#REQUEST_TIMEOUT_SECONDS} per request), and at most
 * {@link #MAX_CONNECTIONS} connections are open at once.
 *
 * <p>Cost: nothing on the inference path; a scrape reads each model's statistics once and the JVM's
 * MXBeans, on the metrics event loop. Thread-safe; {@link #close()} is idempotent.
 */
public final class MetricsServer implements AutoCloseable {
  /** Scrapers open a connection or two each; far fewer than the file descriptors. */
  static final int MAX_CONNECTIONS = 256;

  /** A scrape's request line and headers, and any body, are far below this. */
  static final int MAX_HEAD_BYTES = 8192;

  private final EventLoopGroup group;
  private final Channel channel;
  private final AtomicBoolean closed = new AtomicBoolean();

  private MetricsServer(EventLoopGroup group, Channel channel) {
    this.group = group;
    this.channel = channel;
  }

  /**
   * Starts serving the metrics of every model version {@code repository} serves at the time of each
   * scrape.
   *
   * @param host the address to bind, e.g. {@code 0.0.0.0} or {@code 127.0.0.1}
   * @param port the port to bind, or 0 for an ephemeral one (see {@link #port()})
   * @throws IOException if the port cannot be bound
   */
  public static MetricsServer start(String host, int port, ModelRepository repository)
      throws IOException {
    Objects.requireNonNull(repository, "repository");
    return startBeforeRepository(host, port, () -> repository);
  }

  /**
   * Starts serving before the model repository exists, so that a port in use stops the start before
   * any model loads and the endpoint answers by the time the server reports ready. Until {@code
   * repository} supplies one (null before), a scrape has the JVM's metrics and no model's.
   *
   * @param host the address to bind, e.g. {@code 0.0.0.0} or {@code 127.0.0.1}
   * @param port the port to bind, or 0 for an ephemeral one (see {@link #port()})
   * @param repository asked on every scrape, on the metrics event loop
   * @throws IOException if the port cannot be bound
   */
  public static MetricsServer startBeforeRepository(
      String host, int port, Supplier<ModelRepository> repository) throws IOException {
    Objects.requireNonNull(repository, "repository");
    return start(
        host,
        port,
        () -> {
          ModelRepository served = repository.get();
          return served == null ? List.of() : sources(served.served());
        });
  }

  /**
   * Starts serving the metrics of the model versions {@code models} supplies at the time of each
   * scrape.
   *
   * @param host the address to bind, e.g. {@code 0.0.0.0} or {@code 127.0.0.1}
   * @param port the port to bind, or 0 for an ephemeral one (see {@link #port()})
   * @param models asked on every scrape, on the metrics event loop
   * @throws IOException if the port cannot be bound
   */
  public static MetricsServer start(
      String host, int port, Supplier<? extends Collection<ModelSource>> models)
      throws IOException {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(models, "models");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
    }
    PrometheusRegistry registry = new PrometheusRegistry();
    JvmMetrics.builder().register(registry);
    registry.register(new TritonMetricsCollector(models));
    PrometheusScrapeHandler scrapes = new PrometheusScrapeHandler(registry);
    HttpConnectionLimit connections =
        new HttpConnectionLimit(MAX_CONNECTIONS, "the metrics port's limit");
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      Channel channel =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      if (!connections.admit(ch)) {
                        return;
                      }
                      ch.pipeline()
                          .addLast(new HttpServerCodec(MAX_HEAD_BYTES, MAX_HEAD_BYTES, 8192))
                          .addLast(new HttpObjectAggregator(MAX_HEAD_BYTES))
                          .addLast(new ScrapeHandler(scrapes));
                    }
                  })
              .bind(new InetSocketAddress(host, port))
              .syncUninterruptibly()
              .channel();
      return new MetricsServer(group, channel);
    } catch (Exception e) {
      // A BindException too: Netty rethrows it unchecked-looking, past a RuntimeException catch.
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw new IOException(
          "cannot bind the metrics port " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  private static List<ModelSource> sources(List<ServedModel> served) {
    return served.stream()
        .map(m -> new ModelSource(m.name(), m.versionString(), m.scheduler()))
        .toList();
  }

  /** The bound port: the one asked for, or the ephemeral one chosen for port 0. */
  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** Stops serving and frees the port; scrapes in progress are cut off. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      channel.close().syncUninterruptibly();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
