package io.ringserve.server.internal.log;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Keeps what clients can make gRPC's transport and the REST port's Netty log (refused streams,
 * HTTP/1 requests to the gRPC port, rapid-reset and protocol errors, failed accepts) to one line
 * per event and at most {@link RateLimitedLog#DEFAULT_LINES_PER_WINDOW} lines per {@link
 * RateLimitedLog#DEFAULT_WINDOW_SECONDS} s per logger: a stack trace that a client caused becomes
 * its innermost message (a bug of ours keeps its trace), and lines over the rate are dropped (and
 * counted on the next line let through). Without it every refused stream logs a 40-line trace on
 * the event loop, which lets one client fill the disk and slow every other connection.
 *
 * <p>Thread-safe; installed once per JVM. Cost: one atomic counter per record of those loggers.
 */
public final class TransportLogFilter implements Filter {
  /** The loggers of grpc-java's Netty transport and call dispatch that clients can trigger. */
  static final List<String> LOGGERS =
      List.of(
          "io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler",
          "io.grpc.netty.shaded.io.grpc.netty.NettyServerTransport",
          // A child logger has no filter of its parent's: "Transport failed" comes from this one.
          "io.grpc.netty.shaded.io.grpc.netty.NettyServerTransport.connections",
          "io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ConnectionHandler",
          "io.grpc.netty.shaded.io.netty.channel.DefaultChannelPipeline",
          // The REST port's Netty (unshaded): accept failures such as running out of descriptors.
          "io.netty.channel.DefaultChannelPipeline",
          "io.grpc.internal.ServerImpl",
          "io.grpc.internal.SerializingExecutor");

  // JUL holds loggers weakly: keeping them here keeps their filters.
  private static final List<Logger> FILTERED = LOGGERS.stream().map(Logger::getLogger).toList();

  private static volatile boolean installed;

  private final RateLimitedLog.Window window =
      new RateLimitedLog.Window(
          RateLimitedLog.DEFAULT_LINES_PER_WINDOW,
          TimeUnit.SECONDS.toNanos(RateLimitedLog.DEFAULT_WINDOW_SECONDS),
          System::nanoTime);

  TransportLogFilter() {}

  /** Installs a filter on each of the transport's loggers; later calls do nothing. */
  public static synchronized void install() {
    if (installed) {
      return;
    }
    for (Logger logger : FILTERED) {
      logger.setFilter(new TransportLogFilter());
    }
    installed = true;
  }

  @Override
  public boolean isLoggable(LogRecord record) {
    long left = window.admit();
    if (left < 0) {
      return false;
    }
    Throwable thrown = record.getThrown();
    if (thrown != null && causedByClient(thrown)) {
      Throwable root = thrown;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      String detail = root.getMessage() != null ? root.getMessage() : root.getClass().getName();
      record.setMessage(record.getMessage() + ": " + detail);
      record.setThrown(null);
    }
    if (left > 0) {
      record.setMessage(record.getMessage() + " (" + left + " similar line(s) left out)");
    }
    return true;
  }

  /**
   * Whether {@code thrown} comes from what a client sent or did (a protocol error, a reset or
   * closed connection, a status), rather than from a bug of ours: only those lose their stack
   * trace, since a handler's own exception also reaches these loggers (the server runs handlers on
   * the transport's threads) and its trace is what finds the bug.
   */
  static boolean causedByClient(Throwable thrown) {
    return Reasons.anyCause(
        thrown,
        t ->
            t instanceof java.io.IOException
                || t instanceof io.grpc.StatusRuntimeException
                || t instanceof io.grpc.StatusException
                || isHttp2Exception(t.getClass()));
  }

  // Netty's Http2Exception is relocated inside grpc-netty-shaded: matched by simple name.
  private static boolean isHttp2Exception(Class<?> type) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      if (c.getSimpleName().equals("Http2Exception")) {
        return true;
      }
    }
    return false;
  }
}
