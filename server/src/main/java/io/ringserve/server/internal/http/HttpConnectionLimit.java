package io.ringserve.server.internal.http;

import io.netty.channel.Channel;
import io.ringserve.server.internal.log.RateLimitedLog;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps the connections a Netty HTTP port (REST, metrics) has open at once: a connection beyond the
 * cap is closed as soon as it is accepted, before it is given a pipeline, so that idle sockets
 * cannot use up the process's file descriptors (which the gRPC port and the model files need too).
 * The slot is given back when the connection closes. Thread-safe: the count is atomic.
 */
public final class HttpConnectionLimit {
  private final int maxConnections;
  private final String limitName;
  private final AtomicInteger open = new AtomicInteger();
  private final RateLimitedLog refusals = new RateLimitedLog(HttpConnectionLimit.class.getName());

  /**
   * @param limitName what sets the limit, for the refusal's log line (a flag, or the port's name)
   */
  public HttpConnectionLimit(int maxConnections, String limitName) {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be >= 1, got " + maxConnections);
    }
    this.maxConnections = maxConnections;
    this.limitName = Objects.requireNonNull(limitName, "limitName");
  }

  /** Takes a slot for {@code channel}, or closes it if there is none; whether it was admitted. */
  public boolean admit(Channel channel) {
    if (open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      refusals.warn(
          "refused an HTTP connection from {0}: {1} connections are open ({2} {1})",
          channel.remoteAddress(), maxConnections, limitName);
      channel.close();
      return false;
    }
    channel.closeFuture().addListener(f -> open.decrementAndGet());
    return true;
  }
}
