package io.ringserve.server.internal.grpc;

import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.ringserve.server.GrpcLimits;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Applies {@link GrpcLimits} to a Netty server builder: the limits gRPC has (HTTP/2 streams per
 * connection, connection idle and age, RST_STREAM rate, keepalive policy, handshake time), and the
 * ones RingServe adds ({@link ConnectionLimit}, {@link CallLimits}).
 *
 * <p>Stateless; called once per server, before it starts.
 */
public final class GrpcTransport {
  private GrpcTransport() {}

  /** {@code builder} with every limit of {@code limits} set; returns {@code builder}. */
  public static NettyServerBuilder limited(NettyServerBuilder builder, GrpcLimits limits) {
    builder
        .maxConcurrentCallsPerConnection(limits.maxConcurrentCallsPerConnection())
        .maxRstFramesPerWindow(limits.maxRstFramesPerWindow(), (int) limits.rstWindow().toSeconds())
        .permitKeepAliveTime(limits.permitKeepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
        .permitKeepAliveWithoutCalls(limits.permitKeepAliveWithoutCalls())
        .protocolNegotiator(
            new ConnectionLimit(
                InternalProtocolNegotiators.serverPlaintext(), limits.maxConnections()))
        .intercept(new CallLimits(limits.defaultDeadline(), limits.messageReceiveTimeout()));
    if (!limits.handshakeTimeout().isZero()) {
      builder.handshakeTimeout(limits.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }
    if (!limits.keepAliveTime().isZero()) {
      builder
          .keepAliveTime(limits.keepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
          .keepAliveTimeout(orInfinite(limits.keepAliveTimeout()), TimeUnit.NANOSECONDS);
    }
    if (!limits.maxConnectionIdle().isZero()) {
      builder.maxConnectionIdle(limits.maxConnectionIdle().toNanos(), TimeUnit.NANOSECONDS);
    }
    if (!limits.maxConnectionAge().isZero()) {
      builder
          .maxConnectionAge(limits.maxConnectionAge().toNanos(), TimeUnit.NANOSECONDS)
          .maxConnectionAgeGrace(orInfinite(limits.maxConnectionAgeGrace()), TimeUnit.NANOSECONDS);
    }
    return builder;
  }

  /** Zero means none: gRPC takes {@link Long#MAX_VALUE} as infinite. */
  private static long orInfinite(Duration duration) {
    return duration.isZero() ? Long.MAX_VALUE : duration.toNanos();
  }
}
