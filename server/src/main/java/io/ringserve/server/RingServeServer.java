package io.ringserve.server;

import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.ringserve.server.backend.Backend;
import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.backend.Backends;
import io.ringserve.server.internal.backend.tensorflow.ProcessThreadPools;
import io.ringserve.server.internal.grpc.GrpcTransport;
import io.ringserve.server.internal.grpc.InferenceService;
import io.ringserve.server.internal.grpc.RequestParsing;
import io.ringserve.server.internal.grpc.ServerState;
import io.ringserve.server.internal.log.TransportLogFilter;
import io.ringserve.server.internal.repository.ModelRepository;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A running RingServe: the model repository, and one gRPC port (Netty, epoll where available)
 * serving {@code inference.GRPCInferenceService}, {@code grpc.health.v1.Health} and server
 * reflection ({@code v1} and {@code v1alpha}, so grpcurl and ghz need no proto files).
 *
 * <p>The port opens before the models load, so that liveness answers at once; readiness and health
 * turn to SERVING once loading is done. Thread-safe.
 */
public final class RingServeServer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(RingServeServer.class.getName());
  private static final String INFERENCE_SERVICE = "inference.GRPCInferenceService";

  private final Config config;
  private final ModelRepository repository;
  private final ServerState state;
  private final HealthStatusManager health = new HealthStatusManager();
  private final Server server;

  /**
   * Everything a server needs to start. {@link #builder()} fills in what is not set with the
   * defaults {@code ringserve serve} uses; only the model repository has none.
   */
  public record Config(
      String host,
      int port,
      Path modelRepository,
      List<Backend> backends,
      BackendOptions backendOptions,
      int maxMessageBytes,
      boolean strictReadiness,
      Duration shutdownGrace,
      GrpcLimits grpcLimits) {
    /** Every interface. */
    public static final String DEFAULT_HOST = "0.0.0.0";

    /** Triton's gRPC port. */
    public static final int DEFAULT_PORT = 8001;

    /** 64 MiB: a batch of large inputs fits, a runaway client does not. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 64 << 20;

    /** The smallest default message limit, however small the heap. */
    public static final int MIN_DEFAULT_MAX_MESSAGE_BYTES = 4 << 20;

    /** As Triton: ready only if every model loaded. */
    public static final boolean DEFAULT_STRICT_READINESS = true;

    /** Time queued requests get to finish on shutdown. */
    public static final int DEFAULT_SHUTDOWN_GRACE_SECONDS = 10;

    public Config {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(modelRepository, "modelRepository");
      Objects.requireNonNull(backends, "backends");
      Objects.requireNonNull(backendOptions, "backendOptions");
      Objects.requireNonNull(shutdownGrace, "shutdownGrace");
      Objects.requireNonNull(grpcLimits, "grpcLimits");
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
      }
      if (maxMessageBytes < 1) {
        throw new IllegalArgumentException("maxMessageBytes must be >= 1, got " + maxMessageBytes);
      }
      if (shutdownGrace.isNegative()) {
        throw new IllegalArgumentException(
            "shutdownGrace must not be negative, got " + shutdownGrace);
      }
      backends = List.copyOf(backends);
    }

    /** A builder with the defaults of {@code ringserve serve}. */
    public static Builder builder() {
      return new Builder();
    }

    /**
     * The default message limit for this JVM: 1/32 of the maximum heap, between {@value
     * #MIN_DEFAULT_MAX_MESSAGE_BYTES} and {@value #DEFAULT_MAX_MESSAGE_BYTES} bytes, so that the
     * messages of a connection's concurrent calls cannot fill a small heap (16 MiB at {@code
     * -Xmx512m}).
     */
    public static int defaultMaxMessageBytes() {
      long share = Runtime.getRuntime().maxMemory() / 32;
      return (int)
          Math.max(MIN_DEFAULT_MAX_MESSAGE_BYTES, Math.min(DEFAULT_MAX_MESSAGE_BYTES, share));
    }

    /**
     * Builds a {@link Config}; every setting but the model repository has a default. Not
     * thread-safe; {@link #build()} checks the values as the record does.
     */
    public static final class Builder {
      private String host = DEFAULT_HOST;
      private int port = DEFAULT_PORT;
      private Path modelRepository;
      private List<Backend> backends;
      private BackendOptions backendOptions = BackendOptions.serverDefaults();
      private int maxMessageBytes = defaultMaxMessageBytes();
      private boolean strictReadiness = DEFAULT_STRICT_READINESS;
      private Duration shutdownGrace = Duration.ofSeconds(DEFAULT_SHUTDOWN_GRACE_SECONDS);
      private GrpcLimits grpcLimits = GrpcLimits.defaults();

      private Builder() {}

      /** The address to listen on; default {@value #DEFAULT_HOST}. */
      public Builder host(String host) {
        this.host = host;
        return this;
      }

      /** The gRPC port, 0 for an ephemeral one; default {@value #DEFAULT_PORT}. */
      public Builder port(int port) {
        this.port = port;
        return this;
      }

      /** The Triton-layout model repository folder; required. */
      public Builder modelRepository(Path modelRepository) {
        this.modelRepository = modelRepository;
        return this;
      }

      /**
       * The backends model folders are matched against, in order; default {@link
       * Backends#all(ProcessThreadPools)} with pools reserved for {@link #backendOptions}.
       */
      public Builder backends(List<Backend> backends) {
        this.backends = backends;
        return this;
      }

      /** Engine threads; default {@link BackendOptions#serverDefaults()}. */
      public Builder backendOptions(BackendOptions backendOptions) {
        this.backendOptions = backendOptions;
        return this;
      }

      /** The largest request message accepted; default {@link #defaultMaxMessageBytes()}. */
      public Builder maxMessageBytes(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
        return this;
      }

      /** Whether readiness needs every model loaded; default {@code true}. */
      public Builder strictReadiness(boolean strictReadiness) {
        this.strictReadiness = strictReadiness;
        return this;
      }

      /** Time queued requests get to finish on shutdown; default 10 s. */
      public Builder shutdownGrace(Duration shutdownGrace) {
        this.shutdownGrace = shutdownGrace;
        return this;
      }

      /** What one client may hold of the server; default {@link GrpcLimits#defaults()}. */
      public Builder grpcLimits(GrpcLimits grpcLimits) {
        this.grpcLimits = grpcLimits;
        return this;
      }

      /**
       * @throws NullPointerException if no model repository was set
       * @throws IllegalArgumentException naming the setting that is out of range
       */
      public Config build() {
        Objects.requireNonNull(modelRepository, "modelRepository");
        Objects.requireNonNull(backendOptions, "backendOptions");
        List<Backend> chosen =
            backends != null ? backends : Backends.all(new ProcessThreadPools(backendOptions));
        return new Config(
            host,
            port,
            modelRepository,
            chosen,
            backendOptions,
            maxMessageBytes,
            strictReadiness,
            shutdownGrace,
            grpcLimits);
      }
    }
  }

  private RingServeServer(Config config) {
    TransportLogFilter.install();
    this.config = config;
    this.repository =
        new ModelRepository(config.modelRepository(), config.backends(), config.backendOptions());
    this.state = new ServerState(repository, config.strictReadiness());
    this.server =
        GrpcTransport.limited(
                NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.port())),
                config.grpcLimits())
            // Handlers never block: they answer at once or hand the call to a scheduler.
            .directExecutor()
            .maxInboundMessageSize(config.maxMessageBytes())
            .addService(RequestParsing.guarded(new InferenceService(repository, state)))
            .addService(health.getHealthService())
            .addService(ProtoReflectionServiceV1.newInstance())
            .addService(reflectionV1Alpha())
            .build();
  }

  @SuppressWarnings(
      "deprecation") // v1alpha is deprecated, but older ghz and grpcurl speak only it.
  private static io.grpc.BindableService reflectionV1Alpha() {
    return ProtoReflectionService.newInstance();
  }

  /**
   * Opens the port, then loads the repository; returns once the models are loaded (or failed).
   *
   * @throws IOException if the port cannot be bound or the repository folder cannot be read
   */
  public static RingServeServer start(Config config) throws IOException {
    RingServeServer s = new RingServeServer(config);
    s.health.setStatus("", ServingStatus.NOT_SERVING);
    s.health.setStatus(INFERENCE_SERVICE, ServingStatus.NOT_SERVING);
    s.server.start();
    LOG.log(System.Logger.Level.INFO, "listening on {0}:{1,number,#}", config.host(), s.port());
    try {
      s.repository.loadAll();
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
    s.state.markLoaded();
    ServingStatus status = s.state.isReady() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    s.health.setStatus("", status);
    s.health.setStatus(INFERENCE_SERVICE, status);
    LOG.log(
        System.Logger.Level.INFO,
        "ready: {0} model version(s) serving from {1}",
        s.repository.served().size(),
        config.modelRepository());
    return s;
  }

  /** The bound port (useful when started on port 0). */
  public int port() {
    return server.getPort();
  }

  /** The loaded repository. */
  public ModelRepository repository() {
    return repository;
  }

  /** Whether the server reports itself ready. */
  public boolean isReady() {
    return state.isReady();
  }

  /** Blocks until the server has shut down. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /**
   * Graceful stop: refuse new requests, finish queued ones within the grace period, answer the rest
   * UNAVAILABLE, close the port.
   */
  @Override
  public void close() {
    state.markStopping();
    health.enterTerminalState();
    server.shutdown();
    repository.close(config.shutdownGrace());
    try {
      if (!server.awaitTermination(
          config.shutdownGrace().toMillis() + 1000, TimeUnit.MILLISECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
