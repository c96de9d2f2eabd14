package io.ringserve.server.internal.grpc;

import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.ringserve.server.GrpcLimits;
import io.ringserve.server.GrpcSecurity;
import java.io.IOException;
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

  /** {@code builder} with every limit of {@code limits} set, plaintext; returns {@code builder}. */
  public static NettyServerBuilder limited(NettyServerBuilder builder, GrpcLimits limits) {
    return limited(builder, limits, InternalProtocolNegotiators.serverPlaintext());
  }

  /**
   * {@code builder} with every limit of {@code limits} set, TLS if {@code security} says (the
   * connection limit applies before the handshake), and its restricted protocols enforced; returns
   * {@code builder}.
   *
   * @throws IOException naming a TLS file that cannot be read or used
   */
  public static NettyServerBuilder secured(
      NettyServerBuilder builder, GrpcLimits limits, GrpcSecurity security) throws IOException {
    limited(
        builder,
        limits,
        security.tls() != null
            ? new ReloadingTls(security.tls())
            : InternalProtocolNegotiators.serverPlaintext());
    if (!security.restrictions().isEmpty()) {
      // Added last, so it runs first: a refused call costs nothing more.
      builder.intercept(new ProtocolRestrictions(security.restrictions()));
    }
    return builder;
  }

  private static NettyServerBuilder limited(
      NettyServerBuilder builder,
      GrpcLimits limits,
      InternalProtocolNegotiator.ProtocolNegotiator negotiator) {
    builder
        .maxConcurrentCallsPerConnection(limits.maxConcurrentCallsPerConnection())
        .maxRstFramesPerWindow(limits.maxRstFramesPerWindow(), (int) limits.rstWindow().toSeconds())
        .permitKeepAliveTime(limits.permitKeepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
        .permitKeepAliveWithoutCalls(limits.permitKeepAliveWithoutCalls())
        .protocolNegotiator(new ConnectionLimit(negotiator, limits.maxConnections()))
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
