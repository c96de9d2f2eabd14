package io.ringserve.server;

import java.time.Duration;
import java.util.Objects;

/**
 * What all REST clients together, and one request, may hold of the server beyond the per-request
 * size and header limits: connections, request bodies held in memory, the time a body takes to
 * arrive, and the JSON values of one request. Each has a {@code ringserve serve} flag and a default
 * sized to the heap, so that no client can exhaust the heap or the file descriptors through the
 * REST port; docs/RELIABILITY.md lists them with their tests. Immutable and thread-safe.
 *
 * @param maxConnections connections open at once; further ones are closed as soon as accepted
 * @param maxBufferedInputBytes bytes of request bodies (after decompression) that all connections
 *     together may hold, from their arrival until their request is parsed or refused; a body that
 *     would pass it is answered 503 and its connection closed
 * @param inputReceiveTimeout time from a request's head to the last byte of its body; zero for none
 * @param maxRequestElements JSON values and structural tokens one request's JSON may hold, counted
 *     as it is parsed, because each becomes an object or more on the heap however few bytes it
 *     takes
 */
public record HttpLimits(
    int maxConnections,
    long maxBufferedInputBytes,
    Duration inputReceiveTimeout,
    long maxRequestElements) {

  /** As gRPC's connection limit: far more than a fleet of clients needs, far fewer than the fds. */
  public static final int DEFAULT_MAX_CONNECTIONS = 1000;

  /** As gRPC's time for a request to arrive in full. */
  public static final int DEFAULT_INPUT_RECEIVE_TIMEOUT_SECONDS = 15;

  /**
   * An eighth of the maximum heap, at least 16 MiB: 64 MiB at {@code -Xmx512m}, one request at the
   * largest default body size.
   */
  public static long defaultMaxBufferedInputBytes() {
    return Math.max(16L << 20, Runtime.getRuntime().maxMemory() / 8);
  }

  /**
   * One per KiB of maximum heap, at least 65,536: 524,288 at {@code -Xmx512m}. A parsed JSON value
   * costs up to about 100 bytes, so a request at the limit takes at most about a tenth of the heap;
   * tensors that large belong in the binary data extension, which is not counted per value.
   */
  public static long defaultMaxRequestElements() {
    return Math.max(65_536, Runtime.getRuntime().maxMemory() / 1024);
  }

  public HttpLimits {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be >= 1, got " + maxConnections);
    }
    if (maxBufferedInputBytes < 1) {
      throw new IllegalArgumentException(
          "maxBufferedInputBytes must be >= 1, got " + maxBufferedInputBytes);
    }
    Objects.requireNonNull(inputReceiveTimeout, "inputReceiveTimeout");
    if (inputReceiveTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "inputReceiveTimeout must not be negative, got " + inputReceiveTimeout);
    }
    if (maxRequestElements < 1 || maxRequestElements > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "maxRequestElements must be between 1 and "
              + Integer.MAX_VALUE
              + ", got "
              + maxRequestElements);
    }
  }

  /** The defaults of {@code ringserve serve}. */
  public static HttpLimits defaults() {
    return new HttpLimits(
        DEFAULT_MAX_CONNECTIONS,
        defaultMaxBufferedInputBytes(),
        Duration.ofSeconds(DEFAULT_INPUT_RECEIVE_TIMEOUT_SECONDS),
        defaultMaxRequestElements());
  }
}
