package io.ringserve.server;

import inference.GRPCInferenceServiceGrpc;
import io.grpc.Codec;
import io.grpc.CompressorRegistry;
import io.grpc.DecompressorRegistry;
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
import io.ringserve.server.internal.grpc.DeflateCodec;
import io.ringserve.server.internal.grpc.GrpcTransport;
import io.ringserve.server.internal.grpc.InferenceService;
import io.ringserve.server.internal.grpc.RequestParsing;
import io.ringserve.server.internal.grpc.ServerState;
import io.ringserve.server.internal.http.RestServer;
import io.ringserve.server.internal.log.Reasons;
import io.ringserve.server.internal.log.TransportLogFilter;
import io.ringserve.server.internal.repository.ModelRepository;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A running RingServe: the model repository, one gRPC port (Netty, epoll where available) serving
 * {@code inference.GRPCInferenceService}, {@code grpc.health.v1.Health} and server reflection
 * ({@code v1} and {@code v1alpha}, so grpcurl and ghz need no proto files), and unless turned off a
 * REST port serving the same protocol over HTTP, through the same service and schedulers.
 *
 * <p>The port opens before the models load, so that liveness answers at once; readiness and health
 * turn to SERVING once loading is done. Thread-safe.
 */
public final class RingServeServer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(RingServeServer.class.getName());
  private static final String INFERENCE_SERVICE = "inference.GRPCInferenceService";
  // How soon grpc.health.v1 reflects a model whose scheduler failed (readiness itself is exact).
  private static final long HEALTH_REFRESH_MILLIS = 1000;

  private final Config config;
  private final ModelRepository repository;
  private final ServerState state;
  private final HealthStatusManager health = new HealthStatusManager();
  private final Server server;
  private final InferenceService inference;
  // Set once by start(), before the server is handed out; null when HTTP is off.
  private volatile RestServer rest;
  // Re-publishes readiness to grpc.health.v1, whose watchers are told only of changes.
  private final ScheduledExecutorService healthRefresh =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "ringserve-health");
            t.setDaemon(true);
            return t;
          });
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch drainCut = new CountDownLatch(1);

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
      ModelControlMode modelControlMode,
      Duration repositoryPoll,
      Set<String> startupModels,
      boolean exitOnError,
      boolean allowHttp,
      String httpHost,
      int httpPort,
      int httpMaxInputBytes,
      int httpMaxHeaderBytes,
      Duration httpIdleTimeout,
      Duration httpDefaultDeadline,
      GrpcLimits grpcLimits,
      GrpcSecurity grpcSecurity,
      QueuedBytesLimits queuedBytesLimits,
      List<GrpcSecurity.Restriction> httpRestrictions,
      HttpLimits httpLimits) {
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

    /** Triton's default poll interval, in poll mode. */
    public static final int DEFAULT_REPOSITORY_POLL_SECONDS = 15;

    /** As Triton: a model that fails at start stops the server. */
    public static final boolean DEFAULT_EXIT_ON_ERROR = true;

    /** Triton's HTTP (REST) port. */
    public static final int DEFAULT_HTTP_PORT = 8000;

    /** 64 MiB, Triton's {@code --http-max-input-size}: the default on a heap of 2 GiB or more. */
    public static final int DEFAULT_HTTP_MAX_INPUT_BYTES = 64 << 20;

    /** 16 KiB of request line and headers, as common HTTP servers bound them. */
    public static final int DEFAULT_HTTP_MAX_HEADER_BYTES = RestServer.DEFAULT_MAX_HEADER_BYTES;

    /** Seconds an idle keep-alive HTTP connection stays open. */
    public static final int DEFAULT_HTTP_IDLE_TIMEOUT_SECONDS =
        RestServer.DEFAULT_IDLE_TIMEOUT_SECONDS;

    /** Seconds a REST request may go unanswered: as a gRPC call without a deadline. */
    public static final int DEFAULT_HTTP_DEFAULT_DEADLINE_SECONDS =
        RestServer.DEFAULT_DEADLINE_SECONDS;

    public Config {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(modelRepository, "modelRepository");
      Objects.requireNonNull(backends, "backends");
      Objects.requireNonNull(backendOptions, "backendOptions");
      Objects.requireNonNull(shutdownGrace, "shutdownGrace");
      Objects.requireNonNull(httpHost, "httpHost");
      Objects.requireNonNull(grpcLimits, "grpcLimits");
      Objects.requireNonNull(grpcSecurity, "grpcSecurity");
      Objects.requireNonNull(queuedBytesLimits, "queuedBytesLimits");
      Objects.requireNonNull(httpLimits, "httpLimits");
      httpRestrictions = List.copyOf(httpRestrictions);
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
      }
      if (httpPort < 0 || httpPort > 65535) {
        throw new IllegalArgumentException("httpPort must be in [0, 65535], got " + httpPort);
      }
      if (httpMaxInputBytes < 1) {
        throw new IllegalArgumentException(
            "httpMaxInputBytes must be >= 1, got " + httpMaxInputBytes);
      }
      if (httpMaxHeaderBytes < 1) {
        throw new IllegalArgumentException(
            "httpMaxHeaderBytes must be >= 1, got " + httpMaxHeaderBytes);
      }
      Objects.requireNonNull(httpIdleTimeout, "httpIdleTimeout");
      if (httpIdleTimeout.toSeconds() < 1) {
        throw new IllegalArgumentException(
            "httpIdleTimeout must be at least one second, got " + httpIdleTimeout);
      }
      Objects.requireNonNull(httpDefaultDeadline, "httpDefaultDeadline");
      if (httpDefaultDeadline.isNegative()) {
        throw new IllegalArgumentException(
            "httpDefaultDeadline must not be negative, got " + httpDefaultDeadline);
      }
      if (maxMessageBytes < 1) {
        throw new IllegalArgumentException("maxMessageBytes must be >= 1, got " + maxMessageBytes);
      }
      if (shutdownGrace.isNegative()) {
        throw new IllegalArgumentException(
            "shutdownGrace must not be negative, got " + shutdownGrace);
      }
      Objects.requireNonNull(modelControlMode, "modelControlMode");
      Objects.requireNonNull(repositoryPoll, "repositoryPoll");
      if (repositoryPoll.isNegative()) {
        throw new IllegalArgumentException(
            "repositoryPoll must not be negative, got " + repositoryPoll);
      }
      backends = List.copyOf(backends);
      startupModels = Set.copyOf(startupModels);
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
    /**
     * The default REST body limit for this JVM: as {@link #defaultMaxMessageBytes()}, up to
     * Triton's {@value #DEFAULT_HTTP_MAX_INPUT_BYTES}. A JSON body takes several times its size on
     * the heap while it is read (its copy, the parsed tree, the tensors), so a fixed 64 MiB let two
     * requests of long strings fill a 512 MiB heap.
     */
    public static int defaultHttpMaxInputBytes() {
      return Math.min(DEFAULT_HTTP_MAX_INPUT_BYTES, defaultMaxMessageBytes());
    }

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
      private ModelControlMode modelControlMode = ModelControlMode.NONE;
      private Duration repositoryPoll = Duration.ofSeconds(DEFAULT_REPOSITORY_POLL_SECONDS);
      private Set<String> startupModels = Set.of();
      private boolean exitOnError = DEFAULT_EXIT_ON_ERROR;
      private boolean allowHttp = true;
      private String httpHost;
      private int httpPort = DEFAULT_HTTP_PORT;
      private int httpMaxInputBytes = defaultHttpMaxInputBytes();
      private int httpMaxHeaderBytes = DEFAULT_HTTP_MAX_HEADER_BYTES;
      private Duration httpIdleTimeout = Duration.ofSeconds(DEFAULT_HTTP_IDLE_TIMEOUT_SECONDS);
      private Duration httpDefaultDeadline =
          Duration.ofSeconds(DEFAULT_HTTP_DEFAULT_DEADLINE_SECONDS);
      private GrpcLimits grpcLimits = GrpcLimits.defaults();
      private GrpcSecurity grpcSecurity = GrpcSecurity.defaults();
      private QueuedBytesLimits queuedBytesLimits = QueuedBytesLimits.defaults();
      private List<GrpcSecurity.Restriction> httpRestrictions = List.of();
      private HttpLimits httpLimits = HttpLimits.defaults();

      private Builder() {}

      /** What all REST clients together may hold; default {@link HttpLimits#defaults()}. */
      public Builder httpLimits(HttpLimits httpLimits) {
        this.httpLimits = httpLimits;
        return this;
      }

      /** How models change while the server runs; default {@link ModelControlMode#NONE}. */
      public Builder modelControlMode(ModelControlMode modelControlMode) {
        this.modelControlMode = modelControlMode;
        return this;
      }

      /** How often poll mode looks at the repository; default 15 s; zero: never, as Triton. */
      public Builder repositoryPoll(Duration repositoryPoll) {
        this.repositoryPoll = repositoryPoll;
        return this;
      }

      /** The models explicit mode loads at start ({@code *} for all); default none. */
      public Builder startupModels(Set<String> startupModels) {
        this.startupModels = startupModels;
        return this;
      }

      /** Whether a model that fails to load at start stops the server; default {@code true}. */
      public Builder exitOnError(boolean exitOnError) {
        this.exitOnError = exitOnError;
        return this;
      }

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

      /** Whether to serve the REST (HTTP/JSON) protocol too; default {@code true}. */
      public Builder allowHttp(boolean allowHttp) {
        this.allowHttp = allowHttp;
        return this;
      }

      /** The address the REST port listens on; default: the same as {@link #host}. */
      public Builder httpHost(String httpHost) {
        this.httpHost = httpHost;
        return this;
      }

      /** The REST port, 0 for an ephemeral one; default {@value #DEFAULT_HTTP_PORT}. */
      public Builder httpPort(int httpPort) {
        this.httpPort = httpPort;
        return this;
      }

      /** The largest REST request body accepted, after decompression; default 64 MiB. */
      public Builder httpMaxInputBytes(int httpMaxInputBytes) {
        this.httpMaxInputBytes = httpMaxInputBytes;
        return this;
      }

      /** The longest REST request line and header block accepted; default 16 KiB. */
      public Builder httpMaxHeaderBytes(int httpMaxHeaderBytes) {
        this.httpMaxHeaderBytes = httpMaxHeaderBytes;
        return this;
      }

      /** How long an idle keep-alive REST connection stays open; default 120 s. */
      public Builder httpIdleTimeout(Duration httpIdleTimeout) {
        this.httpIdleTimeout = httpIdleTimeout;
        return this;
      }

      /**
       * How long a REST request may go unanswered before it is answered 503; default 60 s; zero: no
       * limit.
       */
      public Builder httpDefaultDeadline(Duration httpDefaultDeadline) {
        this.httpDefaultDeadline = httpDefaultDeadline;
        return this;
      }

      /** What one client may hold of the server; default {@link GrpcLimits#defaults()}. */
      public Builder grpcLimits(GrpcLimits grpcLimits) {
        this.grpcLimits = grpcLimits;
        return this;
      }

      /** TLS, restricted protocols, reflection; default {@link GrpcSecurity#defaults()}. */
      public Builder grpcSecurity(GrpcSecurity grpcSecurity) {
        this.grpcSecurity = grpcSecurity;
        return this;
      }

      /**
       * Bytes of input tensors accepted requests may hold; default {@link
       * QueuedBytesLimits#defaults()}.
       */
      public Builder queuedBytesLimits(QueuedBytesLimits queuedBytesLimits) {
        this.queuedBytesLimits = queuedBytesLimits;
        return this;
      }

      /**
       * REST routes served only to requests with a header (Triton's {@code --http-restricted-api});
       * default none.
       */
      public Builder httpRestrictions(List<GrpcSecurity.Restriction> httpRestrictions) {
        this.httpRestrictions = httpRestrictions;
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
            modelControlMode,
            repositoryPoll,
            startupModels,
            exitOnError,
            allowHttp,
            httpHost != null ? httpHost : host,
            httpPort,
            httpMaxInputBytes,
            httpMaxHeaderBytes,
            httpIdleTimeout,
            httpDefaultDeadline,
            grpcLimits,
            grpcSecurity,
            queuedBytesLimits,
            httpRestrictions,
            httpLimits);
      }
    }
  }

  private RingServeServer(Config config) throws IOException {
    TransportLogFilter.install();
    this.config = config;
    this.repository =
        new ModelRepository(
            config.modelRepository(),
            config.backends(),
            config.backendOptions(),
            config.modelControlMode(),
            // A retiring version gets as long to finish its requests as a stopping server.
            config.shutdownGrace(),
            config.queuedBytesLimits());
    this.state = new ServerState(repository, config.strictReadiness());
    this.inference =
        new InferenceService(repository, state, config.grpcLimits().maxRequestElements());
    NettyServerBuilder transport =
        GrpcTransport.secured(
            NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.port())),
            config.grpcLimits(),
            config.grpcSecurity());
    if (config.grpcSecurity().reflection()) {
      transport.addService(ProtoReflectionServiceV1.newInstance()).addService(reflectionV1Alpha());
    }
    this.server =
        transport
            // Handlers never block: they answer at once or hand the call to a scheduler.
            .directExecutor()
            .maxInboundMessageSize(config.maxMessageBytes())
            .decompressorRegistry(
                DecompressorRegistry.getDefaultInstance().with(new DeflateCodec(), true))
            .compressorRegistry(compressors())
            .addService(
                RequestParsing.guarded(
                    inference.definition(),
                    config.grpcLimits().maxRequestElements(),
                    GRPCInferenceServiceGrpc.getModelInferMethod().getFullMethodName(),
                    inference.fullQueueRefusal()))
            .addService(health.getHealthService())
            .build();
  }

  /**
   * gzip (grpc-java's default) and deflate. Answers go uncompressed, as Triton's do by default: no
   * handler asks gRPC for a compressed answer, so these only name what the server could send.
   */
  private static CompressorRegistry compressors() {
    CompressorRegistry registry = CompressorRegistry.newEmptyInstance();
    registry.register(Codec.Identity.NONE);
    registry.register(new Codec.Gzip());
    registry.register(new DeflateCodec());
    return registry;
  }

  @SuppressWarnings(
      "deprecation") // v1alpha is deprecated, but older ghz and grpcurl speak only it.
  private static io.grpc.BindableService reflectionV1Alpha() {
    return ProtoReflectionService.newInstance();
  }

  /**
   * Opens the port, then loads the repository; returns once the models are loaded (or failed).
   *
   * @throws ModelsFailedToLoadException if a model failed to load and the config says to exit on
   *     error; the server is closed
   * @throws IOException if the port cannot be bound, a TLS file cannot be used, or the repository
   *     folder cannot be read
   */
  public static RingServeServer start(Config config) throws IOException {
    RingServeServer s = new RingServeServer(config);
    s.health.setStatus("", ServingStatus.NOT_SERVING);
    s.health.setStatus(INFERENCE_SERVICE, ServingStatus.NOT_SERVING);
    try {
      s.server.start();
    } catch (IOException e) {
      s.repository.close();
      throw new IOException(
          "cannot listen for gRPC on "
              + config.host()
              + ":"
              + config.port()
              + " (--grpc-port): "
              + Reasons.root(e),
          e);
    }
    LOG.log(System.Logger.Level.INFO, "listening on {0}:{1,number,#}", config.host(), s.port());
    if (config.allowHttp()) {
      try {
        s.rest =
            RestServer.start(
                config.httpHost(),
                config.httpPort(),
                new RestServer.Limits(
                    config.httpMaxInputBytes(),
                    config.httpMaxHeaderBytes(),
                    config.httpIdleTimeout(),
                    config.httpDefaultDeadline()),
                config.httpLimits(),
                s.inference,
                s.repository,
                config.httpRestrictions());
      } catch (IOException e) {
        s.close();
        throw new IOException(
            "cannot listen for HTTP on "
                + config.httpHost()
                + ":"
                + config.httpPort()
                + " (--http-port): "
                + Reasons.root(e),
            e);
      } catch (RuntimeException e) {
        s.close();
        throw e;
      }
      LOG.log(
          System.Logger.Level.INFO,
          "HTTP (REST) on {0}:{1,number,#}",
          config.httpHost(),
          s.rest.port());
    }
    List<String> failures;
    try {
      failures =
          config.modelControlMode() == ModelControlMode.EXPLICIT
              ? s.repository.loadAtStart(config.startupModels())
              : s.repository.loadAll();
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
    if (!failures.isEmpty() && config.exitOnError()) {
      s.close();
      throw new ModelsFailedToLoadException(failures);
    }
    s.state.markLoaded();
    // Readiness follows the models: a fixed model that loads later makes the server ready.
    s.repository.onChange(s::publishHealth);
    s.publishHealth();
    // A scheduler that fails tells no one; a periodic look carries it to grpc.health.v1.
    s.healthRefresh.scheduleWithFixedDelay(
        s::publishHealthSafely,
        HEALTH_REFRESH_MILLIS,
        HEALTH_REFRESH_MILLIS,
        TimeUnit.MILLISECONDS);
    if (config.modelControlMode() == ModelControlMode.POLL && !config.repositoryPoll().isZero()) {
      s.repository.startPolling(config.repositoryPoll());
    }
    LOG.log(
        System.Logger.Level.INFO,
        "ready: {0} model version(s) serving from {1}",
        s.repository.served().size(),
        config.modelRepository());
    return s;
  }

  private void publishHealthSafely() {
    try {
      publishHealth();
    } catch (RuntimeException e) {
      // A model unloading meanwhile; the next look sees the settled state.
      LOG.log(System.Logger.Level.DEBUG, "health refresh failed", e);
    }
  }

  private void publishHealth() {
    ServingStatus status = state.isReady() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    health.setStatus("", status);
    health.setStatus(INFERENCE_SERVICE, status);
  }

  /** The bound port (useful when started on port 0). */
  public int port() {
    return server.getPort();
  }

  /**
   * The bound REST port (useful when started on port 0).
   *
   * @throws IllegalStateException if the server was started without HTTP
   */
  public int httpPort() {
    RestServer r = rest;
    if (r == null) {
      throw new IllegalStateException("HTTP is not enabled (allowHttp is false)");
    }
    return r.port();
  }

  /** The loaded repository. */
  public ModelRepository repository() {
    return repository;
  }

  /** Whether the server reports itself ready. */
  public boolean isReady() {
    return state.isReady();
  }

  /**
   * Starts draining, as Kubernetes expects of a pod being stopped: from now on ServerReady, the
   * REST ready endpoint and {@code grpc.health.v1} say not ready, so that load balancers stop
   * sending, while everything keeps serving as before until {@link #close()}. Idempotent, returns
   * at once.
   */
  public void markDraining() {
    state.markDraining();
    publishHealth();
  }

  /**
   * Stops the way Kubernetes expects a pod to stop, and the {@code serve} command's SIGTERM handler
   * stops: {@link #markDraining()} at once, serving on for {@code drainDelay} so that endpoints,
   * load balancers and health-checking clients stop sending new calls first, then {@link #close()}
   * (GOAWAY, accepted calls finish). Blocks until closed. {@link #endDrainDelay()} cuts the delay
   * short; an interrupt closes at once, without waiting for running calls, and stays set.
   */
  public void drainAndClose(Duration drainDelay) {
    Objects.requireNonNull(drainDelay, "drainDelay");
    markDraining();
    try {
      if (!drainDelay.isNegative() && !drainDelay.isZero()) {
        drainCut.await(drainDelay.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      close();
    }
  }

  /** Ends the drain delay of a {@link #drainAndClose} under way (or yet to begin) now. */
  public void endDrainDelay() {
    drainCut.countDown();
  }

  /** Requests queued or running in the models' schedulers, not yet answered. */
  public int pendingRequests() {
    int pending = 0;
    for (var model : repository.served()) {
      pending += model.scheduler().pendingRequests();
    }
    return pending;
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
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long begin = System.nanoTime();
    healthRefresh.shutdownNow();
    state.markStopping();
    health.enterTerminalState();
    // GOAWAY: no new calls; calls already started run on.
    server.shutdown();
    int pending = pendingRequests();
    LOG.log(
        System.Logger.Level.INFO,
        "stopping: refusing new requests; {0} request(s) queued or running get up to {1} s to"
            + " finish (--exit-timeout-secs)",
        pending,
        config.shutdownGrace().toSeconds());
    repository.close(config.shutdownGrace());
    RestServer r = rest;
    if (r != null) {
      r.close();
    }
    try {
      if (!server.awaitTermination(
          config.shutdownGrace().toMillis() + 1000, TimeUnit.MILLISECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
    if (tookMillis < config.shutdownGrace().toMillis()) {
      LOG.log(
          System.Logger.Level.INFO,
          "stopped in {0,number,#} ms: drained all {1} queued or running request(s)",
          tookMillis,
          pending);
    } else {
      LOG.log(
          System.Logger.Level.WARNING,
          "stopped in {0,number,#} ms: of {1} queued or running request(s), those not done within"
              + " --exit-timeout-secs were answered UNAVAILABLE",
          tookMillis,
          pending);
    }
  }
}
