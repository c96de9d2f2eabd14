package io.ringserve.server.cli;

import io.ringserve.server.GrpcLimits;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The {@code serve} flags of {@link GrpcLimits}: Triton's names for keepalive, {@code
 * --grpc-max-*}-style names for the rest. A picocli mixin, so that the limits stay together.
 */
final class GrpcLimitOptions {
  @Option(
      names = "--grpc-max-concurrent-calls-per-connection",
      paramLabel = "N",
      defaultValue = "" + GrpcLimits.DEFAULT_MAX_CONCURRENT_CALLS_PER_CONNECTION,
      description =
          "Calls one connection may have open at once (HTTP/2 MAX_CONCURRENT_STREAMS; default:"
              + " ${DEFAULT-VALUE}).")
  int maxConcurrentCallsPerConnection;

  @Option(
      names = "--grpc-max-connections",
      paramLabel = "N",
      defaultValue = "" + GrpcLimits.DEFAULT_MAX_CONNECTIONS,
      description =
          "Connections open at once; more are closed as soon as accepted (default:"
              + " ${DEFAULT-VALUE}).")
  int maxConnections;

  @Option(
      names = "--grpc-max-connection-idle-secs",
      paramLabel = "S",
      defaultValue = "" + GrpcLimits.DEFAULT_MAX_CONNECTION_IDLE_SECONDS,
      description =
          "A connection without calls for this long is closed with GOAWAY (default:"
              + " ${DEFAULT-VALUE}; 0 = never).")
  long maxConnectionIdleSeconds;

  @Option(
      names = "--grpc-max-connection-age-secs",
      paramLabel = "S",
      defaultValue = "" + GrpcLimits.DEFAULT_MAX_CONNECTION_AGE_SECONDS,
      description =
          "A connection older than this is closed with GOAWAY, so that clients rebalance"
              + " (default: ${DEFAULT-VALUE} = never).")
  long maxConnectionAgeSeconds;

  @Option(
      names = "--grpc-max-connection-age-grace-secs",
      paramLabel = "S",
      defaultValue = "" + GrpcLimits.DEFAULT_MAX_CONNECTION_AGE_GRACE_SECONDS,
      description =
          "Time the calls of a connection past its age get to finish (default: ${DEFAULT-VALUE};"
              + " 0 = unlimited).")
  long maxConnectionAgeGraceSeconds;

  @Option(
      names = "--grpc-max-rst-frames-per-window",
      paramLabel = "N",
      defaultValue = "" + GrpcLimits.DEFAULT_MAX_RST_FRAMES_PER_WINDOW,
      description =
          "RST_STREAM frames a connection may send per --grpc-rst-window-secs before it is"
              + " closed (HTTP/2 rapid reset, CVE-2023-44487; default: ${DEFAULT-VALUE}).")
  int maxRstFramesPerWindow;

  @Option(
      names = "--grpc-rst-window-secs",
      paramLabel = "S",
      defaultValue = "" + GrpcLimits.DEFAULT_RST_WINDOW_SECONDS,
      description = "The window of --grpc-max-rst-frames-per-window (default: ${DEFAULT-VALUE}).")
  long rstWindowSeconds;

  @Option(
      names = "--grpc-keepalive-time",
      paramLabel = "MS",
      defaultValue = "" + GrpcLimits.DEFAULT_KEEPALIVE_TIME_MS,
      description =
          "The server pings a connection idle for this long (default: ${DEFAULT-VALUE}, as"
              + " Triton).")
  long keepAliveTimeMs;

  @Option(
      names = "--grpc-keepalive-timeout",
      paramLabel = "MS",
      defaultValue = "" + GrpcLimits.DEFAULT_KEEPALIVE_TIMEOUT_MS,
      description =
          "A ping unanswered for this long closes the connection (default: ${DEFAULT-VALUE}, as"
              + " Triton).")
  long keepAliveTimeoutMs;

  @Option(
      names = "--grpc-keepalive-permit-without-calls",
      paramLabel = "BOOL",
      arity = "1",
      defaultValue = "" + GrpcLimits.DEFAULT_PERMIT_KEEPALIVE_WITHOUT_CALLS,
      description =
          "Whether clients may ping with no call open (default: ${DEFAULT-VALUE}, as Triton).")
  boolean permitKeepAliveWithoutCalls;

  @Option(
      names = "--grpc-http2-min-recv-ping-interval-without-data",
      paramLabel = "MS",
      defaultValue = "" + GrpcLimits.DEFAULT_MIN_RECV_PING_INTERVAL_MS,
      description =
          "Clients pinging more often than this are sent GOAWAY (default: ${DEFAULT-VALUE}, as"
              + " Triton).")
  long minRecvPingIntervalMs;

  @Option(
      names = "--grpc-handshake-timeout-secs",
      paramLabel = "S",
      defaultValue = "" + GrpcLimits.DEFAULT_HANDSHAKE_TIMEOUT_SECONDS,
      description =
          "Time a new connection gets to finish its handshake (default: ${DEFAULT-VALUE}).")
  long handshakeTimeoutSeconds;

  @Option(
      names = "--grpc-message-receive-timeout-secs",
      paramLabel = "S",
      defaultValue = "" + GrpcLimits.DEFAULT_MESSAGE_RECEIVE_TIMEOUT_SECONDS,
      description =
          "Time a unary call's request gets to arrive in full; a half-sent one is then answered"
              + " DEADLINE_EXCEEDED and its buffers freed (default: ${DEFAULT-VALUE}; 0 = none).")
  long messageReceiveTimeoutSeconds;

  @Option(
      names = "--grpc-default-deadline-secs",
      paramLabel = "S",
      defaultValue = "" + GrpcLimits.DEFAULT_DEADLINE_SECONDS,
      description =
          "Deadline of unary calls whose client set none (default: ${DEFAULT-VALUE}; 0 = none).")
  long defaultDeadlineSeconds;

  @Option(
      names = "--grpc-max-request-elements",
      paramLabel = "N",
      description =
          "Values one request may hold, counted before it is parsed: typed contents values"
              + " (bytes_contents included) and other fields; over it the request is answered"
              + " RESOURCE_EXHAUSTED (default: one per 512 bytes of maximum heap, at least 65536).")
  Long maxRequestElements;

  /**
   * The limits the flags say.
   *
   * @throws IllegalArgumentException naming the limit out of range
   */
  GrpcLimits limits() {
    return GrpcLimits.builder()
        .maxConcurrentCallsPerConnection(maxConcurrentCallsPerConnection)
        .maxConnections(maxConnections)
        .maxConnectionIdle(Duration.ofSeconds(maxConnectionIdleSeconds))
        .maxConnectionAge(Duration.ofSeconds(maxConnectionAgeSeconds))
        .maxConnectionAgeGrace(Duration.ofSeconds(maxConnectionAgeGraceSeconds))
        .maxRstFrames(maxRstFramesPerWindow, Duration.ofSeconds(rstWindowSeconds))
        .keepAliveTime(Duration.ofMillis(keepAliveTimeMs))
        .keepAliveTimeout(Duration.ofMillis(keepAliveTimeoutMs))
        .permitKeepAliveWithoutCalls(permitKeepAliveWithoutCalls)
        .permitKeepAliveTime(Duration.ofMillis(minRecvPingIntervalMs))
        .handshakeTimeout(Duration.ofSeconds(handshakeTimeoutSeconds))
        .messageReceiveTimeout(Duration.ofSeconds(messageReceiveTimeoutSeconds))
        .defaultDeadline(Duration.ofSeconds(defaultDeadlineSeconds))
        .maxRequestElements(
            maxRequestElements != null
                ? maxRequestElements
                : GrpcLimits.defaultMaxRequestElements())
        .build();
  }
}
