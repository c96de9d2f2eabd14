package io.ringserve.server;

import java.time.Duration;
import java.util.Objects;

/**
 * What one gRPC client may hold of the server: calls, connections, time and HTTP/2 frames. Each
 * limit has a {@code ringserve serve} flag (Triton's name where Triton has one) and a default sized
 * so that no single client can exhaust the heap, the direct memory or the event loops; a client
 * over a limit is refused at once, never queued. docs/RELIABILITY.md lists them with their tests.
 *
 * <p>A {@link Duration#ZERO} time limit means "none". Immutable and thread-safe.
 *
 * @param maxConcurrentCallsPerConnection HTTP/2 streams one connection may have open (advertised as
 *     {@code SETTINGS_MAX_CONCURRENT_STREAMS}); answers a client does not read count until it reads
 *     them, so a client that never reads pins at most this many
 * @param maxConnections connections open at once; further ones are closed as soon as accepted
 * @param maxConnectionIdle a connection with no call for this long is sent GOAWAY
 * @param maxConnectionAge a connection older than this is sent GOAWAY, so that clients rebalance
 * @param maxConnectionAgeGrace time the calls of a connection past its age get to finish
 * @param maxRstFramesPerWindow RST_STREAM frames a client may send per {@code rstWindow} before the
 *     connection is closed (CVE-2023-44487, "rapid reset")
 * @param rstWindow the window of {@code maxRstFramesPerWindow}
 * @param keepAliveTime the server pings a connection idle for this long
 * @param keepAliveTimeout a ping unanswered for this long closes the connection
 * @param permitKeepAliveTime clients pinging more often than this are sent GOAWAY
 * @param permitKeepAliveWithoutCalls whether clients may ping with no call open
 * @param handshakeTimeout time a new connection gets to finish its HTTP/2 (and TLS) handshake
 * @param messageReceiveTimeout time a unary call's request message gets to arrive in full, so that
 *     half-sent messages cannot pin buffers
 * @param defaultDeadline the deadline of calls whose client set none
 * @param maxRequestElements values one request message may hold, counted before it is parsed: each
 *     typed contents value ({@code bytes_contents} included) and each other field (inputs,
 *     parameters, unknown fields), because each becomes an object or more on the heap however few
 *     bytes it takes on the wire
 */
public record GrpcLimits(
    int maxConcurrentCallsPerConnection,
    int maxConnections,
    Duration maxConnectionIdle,
    Duration maxConnectionAge,
    Duration maxConnectionAgeGrace,
    int maxRstFramesPerWindow,
    Duration rstWindow,
    Duration keepAliveTime,
    Duration keepAliveTimeout,
    Duration permitKeepAliveTime,
    boolean permitKeepAliveWithoutCalls,
    Duration handshakeTimeout,
    Duration messageReceiveTimeout,
    Duration defaultDeadline,
    long maxRequestElements) {

  /** Enough for a client's worth of pipelining; Envoy and Go's gRPC default to 100 too. */
  public static final int DEFAULT_MAX_CONCURRENT_CALLS_PER_CONNECTION = 100;

  /** Far more than a fleet of clients needs, far fewer than the file descriptors. */
  public static final int DEFAULT_MAX_CONNECTIONS = 1000;

  /** Idle connections are closed after 5 minutes. */
  public static final int DEFAULT_MAX_CONNECTION_IDLE_SECONDS = 300;

  /** No age limit by default, as Triton. */
  public static final int DEFAULT_MAX_CONNECTION_AGE_SECONDS = 0;

  /** Calls on a connection past its age get 30 s to finish. */
  public static final int DEFAULT_MAX_CONNECTION_AGE_GRACE_SECONDS = 30;

  /** 200 resets per 10 s: far above a legitimate client's cancellations, far below an attack. */
  public static final int DEFAULT_MAX_RST_FRAMES_PER_WINDOW = 200;

  /** The window of {@link #DEFAULT_MAX_RST_FRAMES_PER_WINDOW}. */
  public static final int DEFAULT_RST_WINDOW_SECONDS = 10;

  /** Triton's {@code --grpc-keepalive-time} default: 2 hours. */
  public static final long DEFAULT_KEEPALIVE_TIME_MS = 7_200_000;

  /** Triton's {@code --grpc-keepalive-timeout} default: 20 s. */
  public static final long DEFAULT_KEEPALIVE_TIMEOUT_MS = 20_000;

  /** Triton's {@code --grpc-http2-min-recv-ping-interval-without-data} default: 5 minutes. */
  public static final long DEFAULT_MIN_RECV_PING_INTERVAL_MS = 300_000;

  /** Triton's {@code --grpc-keepalive-permit-without-calls} default. */
  public static final boolean DEFAULT_PERMIT_KEEPALIVE_WITHOUT_CALLS = false;

  /** A TLS handshake on a loaded server takes milliseconds; 10 s is generous. */
  public static final int DEFAULT_HANDSHAKE_TIMEOUT_SECONDS = 10;

  /** The largest default message takes about 5 s at 100 Mbit/s; 15 s leaves room. */
  public static final int DEFAULT_MESSAGE_RECEIVE_TIMEOUT_SECONDS = 15;

  /** A call without a deadline still ends after 60 s, answered DEADLINE_EXCEEDED. */
  public static final int DEFAULT_DEADLINE_SECONDS = 60;

  /**
   * One element per 512 bytes of maximum heap, at least 65,536: 1,048,576 at {@code -Xmx512m}. A
   * {@code bytes_contents} value costs about 80 bytes parsed, so a request at the limit takes at
   * most about a sixth of the heap; typed numeric tensors that large belong in {@code
   * raw_input_contents}, which is not counted per value.
   */
  public static long defaultMaxRequestElements() {
    return Math.max(65_536, Runtime.getRuntime().maxMemory() / 512);
  }

  public GrpcLimits {
    positive(maxConcurrentCallsPerConnection, "maxConcurrentCallsPerConnection");
    if (maxRequestElements < 1) {
      throw new IllegalArgumentException(
          "maxRequestElements must be >= 1, got " + maxRequestElements);
    }
    positive(maxConnections, "maxConnections");
    positive(maxRstFramesPerWindow, "maxRstFramesPerWindow");
    notNegative(maxConnectionIdle, "maxConnectionIdle");
    notNegative(maxConnectionAge, "maxConnectionAge");
    notNegative(maxConnectionAgeGrace, "maxConnectionAgeGrace");
    notNegative(keepAliveTime, "keepAliveTime");
    notNegative(keepAliveTimeout, "keepAliveTimeout");
    notNegative(permitKeepAliveTime, "permitKeepAliveTime");
    notNegative(handshakeTimeout, "handshakeTimeout");
    notNegative(messageReceiveTimeout, "messageReceiveTimeout");
    notNegative(defaultDeadline, "defaultDeadline");
    notNegative(rstWindow, "rstWindow");
    if (rstWindow.toSeconds() < 1) {
      throw new IllegalArgumentException("rstWindow must be at least 1 s, got " + rstWindow);
    }
  }

  /** The defaults of {@code ringserve serve}. */
  public static GrpcLimits defaults() {
    return builder().build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  private static void positive(int value, String name) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be >= 1, got " + value);
    }
  }

  private static void notNegative(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative, got " + value);
    }
  }

  /** Builds {@link GrpcLimits} from the defaults. Not thread-safe. */
  public static final class Builder {
    private int maxConcurrentCallsPerConnection = DEFAULT_MAX_CONCURRENT_CALLS_PER_CONNECTION;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private Duration maxConnectionIdle = Duration.ofSeconds(DEFAULT_MAX_CONNECTION_IDLE_SECONDS);
    private Duration maxConnectionAge = Duration.ofSeconds(DEFAULT_MAX_CONNECTION_AGE_SECONDS);
    private Duration maxConnectionAgeGrace =
        Duration.ofSeconds(DEFAULT_MAX_CONNECTION_AGE_GRACE_SECONDS);
    private int maxRstFramesPerWindow = DEFAULT_MAX_RST_FRAMES_PER_WINDOW;
    private Duration rstWindow = Duration.ofSeconds(DEFAULT_RST_WINDOW_SECONDS);
    private Duration keepAliveTime = Duration.ofMillis(DEFAULT_KEEPALIVE_TIME_MS);
    private Duration keepAliveTimeout = Duration.ofMillis(DEFAULT_KEEPALIVE_TIMEOUT_MS);
    private Duration permitKeepAliveTime = Duration.ofMillis(DEFAULT_MIN_RECV_PING_INTERVAL_MS);
    private boolean permitKeepAliveWithoutCalls = DEFAULT_PERMIT_KEEPALIVE_WITHOUT_CALLS;
    private Duration handshakeTimeout = Duration.ofSeconds(DEFAULT_HANDSHAKE_TIMEOUT_SECONDS);
    private Duration messageReceiveTimeout =
        Duration.ofSeconds(DEFAULT_MESSAGE_RECEIVE_TIMEOUT_SECONDS);
    private Duration defaultDeadline = Duration.ofSeconds(DEFAULT_DEADLINE_SECONDS);
    private long maxRequestElements = defaultMaxRequestElements();

    private Builder() {}

    public Builder maxRequestElements(long value) {
      this.maxRequestElements = value;
      return this;
    }

    public Builder maxConcurrentCallsPerConnection(int value) {
      this.maxConcurrentCallsPerConnection = value;
      return this;
    }

    public Builder maxConnections(int value) {
      this.maxConnections = value;
      return this;
    }

    public Builder maxConnectionIdle(Duration value) {
      this.maxConnectionIdle = value;
      return this;
    }

    public Builder maxConnectionAge(Duration value) {
      this.maxConnectionAge = value;
      return this;
    }

    public Builder maxConnectionAgeGrace(Duration value) {
      this.maxConnectionAgeGrace = value;
      return this;
    }

    /** RST_STREAM frames allowed per {@code window}. */
    public Builder maxRstFrames(int perWindow, Duration window) {
      this.maxRstFramesPerWindow = perWindow;
      this.rstWindow = window;
      return this;
    }

    public Builder keepAliveTime(Duration value) {
      this.keepAliveTime = value;
      return this;
    }

    public Builder keepAliveTimeout(Duration value) {
      this.keepAliveTimeout = value;
      return this;
    }

    public Builder permitKeepAliveTime(Duration value) {
      this.permitKeepAliveTime = value;
      return this;
    }

    public Builder permitKeepAliveWithoutCalls(boolean value) {
      this.permitKeepAliveWithoutCalls = value;
      return this;
    }

    public Builder handshakeTimeout(Duration value) {
      this.handshakeTimeout = value;
      return this;
    }

    public Builder messageReceiveTimeout(Duration value) {
      this.messageReceiveTimeout = value;
      return this;
    }

    public Builder defaultDeadline(Duration value) {
      this.defaultDeadline = value;
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the limit that is out of range
     */
    public GrpcLimits build() {
      return new GrpcLimits(
          maxConcurrentCallsPerConnection,
          maxConnections,
          maxConnectionIdle,
          maxConnectionAge,
          maxConnectionAgeGrace,
          maxRstFramesPerWindow,
          rstWindow,
          keepAliveTime,
          keepAliveTimeout,
          permitKeepAliveTime,
          permitKeepAliveWithoutCalls,
          handshakeTimeout,
          messageReceiveTimeout,
          defaultDeadline,
          maxRequestElements);
    }
  }
}
