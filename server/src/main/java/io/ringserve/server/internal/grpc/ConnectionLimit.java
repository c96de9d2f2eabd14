package io.ringserve.server.internal.grpc;

import io.grpc.netty.shaded.io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.util.AsciiString;
import io.ringserve.server.internal.log.RateLimitedLog;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps the connections open at once: wraps the transport's protocol negotiator (plaintext or TLS)
 * so that each new connection takes a slot before negotiating, and a connection beyond the cap is
 * closed at once, before it costs a handshake or an HTTP/2 session. The slot is given back when the
 * connection closes.
 *
 * <p>Thread-safe: the count is atomic; each connection's handler runs on its event loop. Cost: one
 * atomic increment per connection.
 */
public final class ConnectionLimit implements InternalProtocolNegotiator.ProtocolNegotiator {
  private final InternalProtocolNegotiator.ProtocolNegotiator delegate;
  private final int maxConnections;
  private final AtomicInteger open = new AtomicInteger();
  private final RateLimitedLog refusals;

  /**
   * @param delegate the negotiator that sets up a connection once it has a slot
   * @param maxConnections connections allowed open at once, at least 1
   */
  public ConnectionLimit(
      InternalProtocolNegotiator.ProtocolNegotiator delegate, int maxConnections) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be >= 1, got " + maxConnections);
    }
    this.maxConnections = maxConnections;
    this.refusals = new RateLimitedLog(ConnectionLimit.class.getName());
  }

  /** Connections holding a slot now. */
  public int open() {
    return open.get();
  }

  @Override
  public AsciiString scheme() {
    return delegate.scheme();
  }

  @Override
  public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
    return new Admission(delegate.newHandler(grpcHandler));
  }

  @Override
  public void close() {
    delegate.close();
  }

  /** Takes a slot when added to a connection's pipeline, then hands over to the negotiator. */
  private final class Admission extends ChannelInboundHandlerAdapter {
    private final ChannelHandler negotiation;

    Admission(ChannelHandler negotiation) {
      this.negotiation = negotiation;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      if (open.incrementAndGet() > maxConnections) {
        open.decrementAndGet();
        refusals.warn(
            "refused a connection from {0}: {1} connections are open"
                + " (--grpc-max-connections {1})",
            ctx.channel().remoteAddress(), maxConnections);
        ctx.channel().close();
        return;
      }
      ctx.channel().closeFuture().addListener(f -> open.decrementAndGet());
      ctx.pipeline().replace(this, null, negotiation);
    }
  }
}
