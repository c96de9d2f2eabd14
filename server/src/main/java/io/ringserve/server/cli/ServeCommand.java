package io.ringserve.server.cli;

import io.ringserve.server.GrpcLimits;
import io.ringserve.server.RingServeServer;
import io.ringserve.server.RingServeServer.Config;
import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.backend.Backends;
import io.ringserve.server.internal.backend.tensorflow.ProcessThreadPools;
import io.ringserve.server.internal.examples.ExampleModels;
import io.ringserve.server.internal.metrics.MetricsServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
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
      "Serve the models of a Triton-layout model repository over gRPC (KServe v2 protocol).",
      "",
      "Without --model-repository, serves the bundled examples (simple, simple_string, mlp,"
          + " simple_onnx, mlp_onnx),"
          + " generated on first start into ~/.cache/ringserve/examples."
    })
final class ServeCommand implements Callable<Integer> {
  private static final System.Logger LOG = System.getLogger(ServeCommand.class.getName());

  @Option(
      names = "--model-repository",
      paramLabel = "DIR",
      description =
          "Model repository: DIR/<model>/config.pbtxt and DIR/<model>/<version>/model.savedmodel/. Default: the bundled examples.")
  Path modelRepository;

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

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    BackendOptions engines = backendOptions();
    GrpcLimits limits = grpcLimitsOrFail();
    // Made before anything creates a TensorFlow session, and shared by all that do, so that the
    // server's thread setting sizes TensorFlow's process-wide pools.
    ProcessThreadPools pools = new ProcessThreadPools(engines);
    Path repository = modelRepository;
    if (repository == null) {
      repository = defaultExamplesDir();
      LOG.log(System.Logger.Level.INFO, "serving the bundled example models from {0}", repository);
      ExampleModels.ensureGenerated(repository, pools);
    }
    RingServeServer server =
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
                .strictReadiness(strictReadiness)
                .shutdownGrace(Duration.ofSeconds(shutdownGraceSeconds))
                .build());
    MetricsServer metrics =
        allowMetrics ? MetricsServer.start(host, metricsPort, server.repository()) : null;
    if (metrics != null) {
      LOG.log(
          System.Logger.Level.INFO,
          "metrics on http://{0}:{1,number,#}/metrics",
          host,
          metrics.port());
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  if (metrics != null) {
                    metrics.close();
                  }
                },
                "ringserve-shutdown"));
    server.awaitTermination();
    return 0;
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
