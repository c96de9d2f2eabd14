package io.ringserve.server.cli;

import io.ringserve.server.GrpcLimits;
import io.ringserve.server.GrpcSecurity;
import io.ringserve.server.HttpLimits;
import io.ringserve.server.ModelControlMode;
import io.ringserve.server.ModelsFailedToLoadException;
import io.ringserve.server.QueuedBytesLimits;
import io.ringserve.server.RingServeServer;
import io.ringserve.server.RingServeServer.Config;
import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.backend.Backends;
import io.ringserve.server.internal.backend.tensorflow.ProcessThreadPools;
import io.ringserve.server.internal.cpu.CpuFeatures;
import io.ringserve.server.internal.examples.ExampleModels;
import io.ringserve.server.internal.log.Reasons;
import io.ringserve.server.internal.metrics.MetricsServer;
import io.ringserve.server.internal.repository.ModelRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Starts the server and serves until interrupted (Ctrl-C or SIGTERM stop it gracefully). */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Serve the models of a Triton-layout model repository over gRPC and HTTP/REST (KServe v2"
          + " protocol).",
      "",
      "Without --model-repository, serves the bundled examples (simple, simple_string,"
          + " simple_identity, simple_int8, mlp, simple_onnx, mlp_onnx, fraud),"
          + " generated on first start into ~/.cache/ringserve/examples."
    })
final class ServeCommand implements Callable<Integer> {
  private static final System.Logger LOG = System.getLogger(ServeCommand.class.getName());

  @Option(
      names = {"--model-repository", "--model-store"},
      paramLabel = "DIR",
      description =
          "Model repository: DIR/<model>/config.pbtxt and DIR/<model>/<version>/model.savedmodel/. Default: the bundled examples. --model-store is Triton's older name.")
  Path modelRepository;

  @Option(
      names = "--model-control-mode",
      paramLabel = "MODE",
      defaultValue = "none",
      description =
          "none: load every model at start, no changes (default); poll: also pick up new, changed"
              + " and removed models and versions every --repository-poll-secs; explicit: load only"
              + " the --load-model models, then as RepositoryModelLoad/Unload say.")
  String modelControlMode;

  @Option(
      names = "--repository-poll-secs",
      paramLabel = "S",
      defaultValue = "" + Config.DEFAULT_REPOSITORY_POLL_SECONDS,
      description =
          "Poll mode: seconds between looks at the repository; 0 disables polling, as in"
              + " Triton (default: ${DEFAULT-VALUE}).")
  int repositoryPollSecs;

  @Option(
      names = "--load-model",
      paramLabel = "NAME",
      description =
          "Explicit mode: a model to load at start (repeatable; '*' for all). Without it, none.")
  List<String> loadModels = new ArrayList<>();

  @Option(
      names = "--exit-on-error",
      paramLabel = "BOOL",
      defaultValue = "" + Config.DEFAULT_EXIT_ON_ERROR,
      arity = "1",
      description =
          "Exit (status 1) if a model fails to load at start (default: ${DEFAULT-VALUE}, as Triton);"
              + " false: serve the others, and stay unready under strict readiness until it is fixed.")
  boolean exitOnError;

  @Option(
      names = "--grpc-port",
      paramLabel = "PORT",
      defaultValue = "" + Config.DEFAULT_PORT,
      description = "gRPC port (default: ${DEFAULT-VALUE}, as Triton).")
  int grpcPort;

  @Option(
      names = "--host",
      paramLabel = "ADDRESS",
      defaultValue = Config.DEFAULT_HOST,
      description =
          "Address to listen on (default: ${DEFAULT-VALUE}; 127.0.0.1 for this machine only).")
  String host;

  @Option(
      names = "--allow-http",
      paramLabel = "BOOL",
      defaultValue = "true",
      arity = "1",
      description = "Serve the KServe v2 REST protocol over HTTP (default: ${DEFAULT-VALUE}).")
  boolean allowHttp;

  @Option(
      names = "--http-port",
      paramLabel = "PORT",
      defaultValue = "" + Config.DEFAULT_HTTP_PORT,
      description = "HTTP (REST) port (default: ${DEFAULT-VALUE}, as Triton).")
  int httpPort;

  @Option(
      names = "--http-address",
      paramLabel = "ADDRESS",
      description = "Address the HTTP port listens on (default: that of --host).")
  String httpAddress;

  @Option(
      names = "--http-max-input-size",
      paramLabel = "BYTES",
      description =
          "Largest HTTP request body accepted, after decompression (default: 1/32 of the maximum"
              + " heap, between 4 MiB and 64 MiB, Triton's default; 16 MiB at -Xmx512m); larger"
              + " ones get 400.")
  Integer httpMaxInputSize;

  @Option(
      names = "--http-max-header-size",
      paramLabel = "BYTES",
      defaultValue = "" + Config.DEFAULT_HTTP_MAX_HEADER_BYTES,
      description =
          "Longest HTTP request line and header block accepted (default: ${DEFAULT-VALUE} = 16"
              + " KiB); longer ones get 400 and the connection closes.")
  int httpMaxHeaderSize;

  @Option(
      names = "--http-idle-timeout-secs",
      paramLabel = "SECONDS",
      defaultValue = "" + Config.DEFAULT_HTTP_IDLE_TIMEOUT_SECONDS,
      description =
          "Seconds an idle keep-alive HTTP connection stays open (default: ${DEFAULT-VALUE}).")
  int httpIdleTimeoutSecs;

  @Option(
      names = "--http-default-deadline-secs",
      paramLabel = "SECONDS",
      defaultValue = "" + Config.DEFAULT_HTTP_DEFAULT_DEADLINE_SECONDS,
      description =
          "Time an HTTP request may go unanswered; then it is answered 503 and, if still queued,"
              + " never run (default: ${DEFAULT-VALUE}, as --grpc-default-deadline-secs; 0 = none).")
  long httpDefaultDeadlineSecs;

  @Option(
      names = "--intra-op-threads",
      paramLabel = "N",
      description =
          "Threads one operation of a model may use (default: half the cores, at least 1; 0 = the"
              + " engine's own default). An ONNX model's config.pbtxt parameters override it; TensorFlow"
              + " has one pool per process, for all its models.")
  Integer intraOpThreads;

  @Option(
      names = "--inter-op-threads",
      paramLabel = "N",
      description =
          "Operations of a model that may run at once (default: -1 = one after another on the"
              + " model's worker thread, TensorFlow only; 0 = the engine decides).")
  Integer interOpThreads;

  @Option(
      names = "--max-message-bytes",
      paramLabel = "BYTES",
      description =
          "Largest request message accepted (default: 1/32 of the maximum heap, between 4 MiB and 64 MiB); larger ones get RESOURCE_EXHAUSTED.")
  Integer maxMessageBytes;

  @Mixin GrpcLimitOptions grpcLimits;

  @Mixin LogOptions logging;

  @Mixin GrpcSecurityOptions grpcSecurity;
  @Mixin HttpRestrictionOptions httpRestrictions;
  @Mixin HttpLimitOptions httpLimits;
  @Mixin QueuedBytesOptions queuedBytes;

  @Option(
      names = "--strict-readiness",
      paramLabel = "BOOL",
      defaultValue = "" + Config.DEFAULT_STRICT_READINESS,
      arity = "1",
      description =
          "Report ready only if every model loaded (default: ${DEFAULT-VALUE}, as Triton).")
  boolean strictReadiness;

  @Option(
      names = {"--exit-timeout-secs", "--shutdown-grace-seconds"},
      paramLabel = "S",
      defaultValue = "" + Config.DEFAULT_SHUTDOWN_GRACE_SECONDS,
      description =
          "On shutdown, time queued and running requests get to finish (Triton's name;"
              + " --shutdown-grace-seconds is an alias; default: ${DEFAULT-VALUE}).")
  int shutdownGraceSeconds;

  @Option(
      names = "--shutdown-drain-delay",
      paramLabel = "S",
      defaultValue = "0",
      description =
          "On SIGTERM, seconds to keep serving while readiness already says not ready, so that"
              + " Kubernetes and load balancers stop sending first; then stop as"
              + " --exit-timeout-secs says (default: ${DEFAULT-VALUE}; a second signal cuts it"
              + " short).")
  int shutdownDrainDelay;

  @Option(
      names = "--allow-metrics",
      paramLabel = "BOOL",
      defaultValue = "true",
      arity = "1",
      description = "Serve Prometheus metrics with Triton's names (default: ${DEFAULT-VALUE}).")
  boolean allowMetrics;

  @Option(
      names = "--metrics-port",
      paramLabel = "PORT",
      defaultValue = "8002",
      description =
          "HTTP port of the Prometheus metrics at /metrics (default: ${DEFAULT-VALUE}, as Triton).")
  int metricsPort;

  @Option(
      names = "--metrics-address",
      paramLabel = "ADDRESS",
      description = "Address the metrics port listens on (default: that of --host).")
  String metricsAddress;

  // The longest deadline a timer can count in nanoseconds: some 292 years.
  private static final long MAX_DEADLINE_SECONDS = Long.MAX_VALUE / 1_000_000_000L;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    try {
      logging.apply();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    LOG.log(
        System.Logger.Level.INFO,
        CpuFeatures.detect().startLine(System.getenv("TF_ENABLE_ONEDNN_OPTS")));
    BackendOptions engines = backendOptions();
    GrpcLimits limits = grpcLimitsOrFail();
    GrpcSecurity security = grpcSecurityOrFail();
    List<GrpcSecurity.Restriction> httpRestricted;
    try {
      httpRestricted = httpRestrictions.restrictions();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    QueuedBytesLimits queued = queuedBytes.limits(spec.commandLine());
    HttpLimits http = httpLimits.limits(spec.commandLine());
    if (httpDefaultDeadlineSecs < 0 || httpDefaultDeadlineSecs > MAX_DEADLINE_SECONDS) {
      throw new ParameterException(
          spec.commandLine(),
          "--http-default-deadline-secs must be between 0 (none) and "
              + MAX_DEADLINE_SECONDS
              + ", got "
              + httpDefaultDeadlineSecs);
    }
    if (repositoryPollSecs < 0) {
      throw new ParameterException(
          spec.commandLine(),
          "--repository-poll-secs must be 0 (no polling) or more, got " + repositoryPollSecs);
    }
    // Made before anything creates a TensorFlow session, and shared by all that do, so that the
    // server's thread setting sizes TensorFlow's process-wide pools.
    ProcessThreadPools pools = new ProcessThreadPools(engines);
    Path repository = modelRepository;
    if (repository == null) {
      repository = defaultExamplesDir();
      LOG.log(System.Logger.Level.INFO, "serving the bundled example models from {0}", repository);
      ExampleModels.ensureGenerated(repository, pools);
    }
    ModelControlMode mode = controlMode();
    if (shutdownDrainDelay < 0 || shutdownGraceSeconds < 0) {
      throw new ParameterException(
          spec.commandLine(),
          "--shutdown-drain-delay and --exit-timeout-secs must be 0 or more, got "
              + shutdownDrainDelay
              + " and "
              + shutdownGraceSeconds);
    }
    if (!Files.isDirectory(repository)) {
      // One line an orchestrator shows, rather than a stack trace.
      spec.commandLine()
          .getErr()
          .println(
              "error: the model repository "
                  + repository.toAbsolutePath()
                  + " is not a folder or does not exist (--model-repository)");
      return 1;
    }
    String httpHost = httpAddress != null ? httpAddress : host;
    String metricsHost = metricsAddress != null ? metricsAddress : host;
    String clash = metricsPortClash(metricsHost, httpHost);
    if (clash != null) {
      spec.commandLine().getErr().println("error: " + clash);
      return 1;
    }
    // Bound before the models load: a port in use fails at once, and /metrics answers by the time
    // the server reports ready.
    AtomicReference<ModelRepository> served = new AtomicReference<>();
    MetricsServer metrics;
    try {
      metrics =
          allowMetrics
              ? MetricsServer.startBeforeRepository(metricsHost, metricsPort, served::get)
              : null;
    } catch (IOException e) {
      spec.commandLine()
          .getErr()
          .println(
              "error: cannot listen for metrics on "
                  + metricsHost
                  + ":"
                  + metricsPort
                  + " (--metrics-port): "
                  + Reasons.root(e));
      return 1;
    }
    if (metrics != null) {
      LOG.log(
          System.Logger.Level.INFO,
          "metrics on http://{0}:{1,number,#}/metrics",
          metricsHost,
          metrics.port());
    }
    RingServeServer server;
    try {
      server =
          RingServeServer.start(
              Config.builder()
                  .host(host)
                  .port(grpcPort)
                  .modelRepository(repository)
                  .backends(Backends.all(pools))
                  .backendOptions(engines)
                  .maxMessageBytes(
                      maxMessageBytes != null ? maxMessageBytes : Config.defaultMaxMessageBytes())
                  .grpcLimits(limits)
                  .grpcSecurity(security)
                  .queuedBytesLimits(queued)
                  .strictReadiness(strictReadiness)
                  .shutdownGrace(Duration.ofSeconds(shutdownGraceSeconds))
                  .modelControlMode(mode)
                  .repositoryPoll(Duration.ofSeconds(repositoryPollSecs))
                  .startupModels(Set.copyOf(loadModels))
                  .exitOnError(exitOnError)
                  .allowHttp(allowHttp)
                  .httpHost(httpHost)
                  .httpPort(httpPort)
                  .httpMaxInputBytes(
                      httpMaxInputSize != null
                          ? httpMaxInputSize
                          : Config.defaultHttpMaxInputBytes())
                  .httpMaxHeaderBytes(httpMaxHeaderSize)
                  .httpIdleTimeout(Duration.ofSeconds(httpIdleTimeoutSecs))
                  .httpDefaultDeadline(Duration.ofSeconds(httpDefaultDeadlineSecs))
                  .httpRestrictions(httpRestricted)
                  .httpLimits(http)
                  .build());
      served.set(server.repository());
    } catch (ModelsFailedToLoadException e) {
      // One line an orchestrator shows; the log above has every failure.
      spec.commandLine().getErr().println("error: " + e.getMessage() + " (--exit-on-error true)");
      return 1;
    } catch (IOException e) {
      // A port in use or an unreadable repository: the message names it.
      spec.commandLine().getErr().println("error: " + e.getMessage());
      return 1;
    } finally {
      // A failed start frees the metrics port and its (non-daemon) dispatcher thread, for callers
      // that go on in the same JVM; the command line exits anyway.
      if (served.get() == null && metrics != null) {
        metrics.close();
      }
    }
    GracefulShutdown shutdown =
        new GracefulShutdown(server, metrics, Duration.ofSeconds(shutdownDrainDelay));
    shutdown.install();
    shutdown.awaitStopped();
    return 0;
  }

  /**
   * Says which port flag the metrics port would take, when it is the gRPC or HTTP port on an
   * address they share; null when it takes neither. Checked before anything binds, since the
   * metrics port is bound first and the clash would otherwise be reported against the other flag.
   */
  private String metricsPortClash(String metricsHost, String httpHost) {
    if (!allowMetrics || metricsPort == 0) {
      return null;
    }
    if (metricsPort == grpcPort && sameAddress(metricsHost, host)) {
      return "--metrics-port and --grpc-port are both " + metricsPort;
    }
    if (allowHttp && metricsPort == httpPort && sameAddress(metricsHost, httpHost)) {
      return "--metrics-port and --http-port are both " + metricsPort;
    }
    return null;
  }

  private static boolean sameAddress(String a, String b) {
    return a.equals(b) || isWildcard(a) || isWildcard(b);
  }

  private static boolean isWildcard(String address) {
    return address.equals("0.0.0.0") || address.equals("::") || address.equals("[::]");
  }

  /** The --model-control-mode value, in any case, as Triton takes it. */
  ModelControlMode controlMode() {
    try {
      return ModelControlMode.valueOf(modelControlMode.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(),
          "--model-control-mode must be none, poll or explicit, got '" + modelControlMode + "'");
    }
  }

  /**
   * The limits the flags say.
   *
   * @throws ParameterException naming the limit out of range
   */
  GrpcLimits grpcLimitsOrFail() {
    try {
      return grpcLimits.limits();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /**
   * The TLS, restrictions and reflection the flags say.
   *
   * @throws ParameterException naming the flag that is wrong
   */
  GrpcSecurity grpcSecurityOrFail() {
    try {
      return grpcSecurity.security();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /**
   * The server's defaults, with what the command line set instead.
   *
   * @throws ParameterException naming the option, for a thread count out of range
   */
  BackendOptions backendOptions() {
    if (intraOpThreads != null && intraOpThreads < 0) {
      throw new ParameterException(
          spec.commandLine(), "--intra-op-threads must be 0 or more, got " + intraOpThreads);
    }
    if (interOpThreads != null && interOpThreads < BackendOptions.CALLER_THREAD) {
      throw new ParameterException(
          spec.commandLine(),
          "--inter-op-threads must be -1 (the worker thread), 0 or more, got " + interOpThreads);
    }
    BackendOptions defaults = BackendOptions.serverDefaults();
    return new BackendOptions(
        intraOpThreads != null ? intraOpThreads : defaults.intraOpThreads(),
        interOpThreads != null ? interOpThreads : defaults.interOpThreads());
  }

  /** {@code $XDG_CACHE_HOME/ringserve/examples}, or {@code ~/.cache/ringserve/examples}. */
  static Path defaultExamplesDir() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path cache =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache");
    return cache.resolve("ringserve").resolve("examples");
  }
}
