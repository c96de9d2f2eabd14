package io.ringserve.loadtest.internal;

import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.grpc.stub.MetadataUtils;
import io.ringserve.loadtest.LoadTestException;
import io.ringserve.loadtest.Target;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC channels of a run: one per {@code --connections}, each its own TCP connection.
 *
 * <p>Callbacks run on the transport's event-loop threads ({@code directExecutor}): the load loops
 * only record a number and start the next call, and a hop to another thread pool per call would
 * cost the CPU the server under test needs.
 *
 * <p>Calls are never retried, not even grpc-java's transparent retry of a call the server never saw
 * (as in a connection's shutdown race): a load test reports every failure as it happens, and the
 * retry support wraps every call to keep its request for a replay, which costs CPU the server under
 * test could use (docs/PERFORMANCE.md, Run F). The header interceptor is added only when there are
 * headers to send.
 *
 * <p>The channels share event loops of their own ({@link CallerLoopGroup}), on which a call started
 * from a completion keeps its deadline timer on that completion's loop.
 *
 * <p>Thread-safe; {@link #close()} once.
 */
public final class Channels implements AutoCloseable {
  /** How long the loops must see no task before they stop, at {@link #close()}. */
  private static final long LOOPS_QUIET_MILLIS = 200;

  private final List<ManagedChannel> channels;
  private final CallerLoopGroup loops;

  private Channels(List<ManagedChannel> channels, CallerLoopGroup loops) {
    this.channels = List.copyOf(channels);
    this.loops = loops;
  }

  /**
   * Opens {@code count} channels to {@code target} (connections are made lazily, on first call).
   *
   * @throws LoadTestException if a TLS file cannot be read
   */
  public static Channels open(Target target, int count) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be >= 1, got " + count);
    }
    ChannelCredentials credentials = credentials(target.tls());
    CallerLoopGroup loops = CallerLoopGroup.create();
    List<ManagedChannel> list = new ArrayList<>(count);
    try {
      ClientInterceptor headers =
          target.headers().isEmpty()
              ? null
              : MetadataUtils.newAttachHeadersInterceptor(headers(target.headers()));
      for (int i = 0; i < count; i++) {
        list.add(channel(target, credentials, headers, loops));
      }
    } catch (RuntimeException | Error e) {
      // A bad authority or header name, or a certificate that reads but does not parse: nothing
      // built so far may keep the loops' descriptors.
      list.forEach(ManagedChannel::shutdownNow);
      loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw e;
    }
    return new Channels(list, loops);
  }

  /** One channel; {@code headers} adds the target's headers, null when there are none. */
  private static ManagedChannel channel(
      Target target,
      ChannelCredentials credentials,
      ClientInterceptor headers,
      CallerLoopGroup loops) {
    NettyChannelBuilder b =
        NettyChannelBuilder.forAddress(target.host(), target.port(), credentials)
            .eventLoopGroup(loops)
            .channelType(loops.channelType())
            .directExecutor()
            .disableRetry()
            .maxInboundMessageSize(Integer.MAX_VALUE);
    if (headers != null) {
      b.intercept(headers);
    }
    if (target.authority() != null) {
      b.overrideAuthority(target.authority());
    }
    return b.build();
  }

  /** The channel for lane {@code lane} (lanes are spread round-robin). */
  public ManagedChannel get(int lane) {
    return channels.get(Math.floorMod(lane, channels.size()));
  }

  public int size() {
    return channels.size();
  }

  @Override
  public void close() {
    channels.forEach(ManagedChannel::shutdown);
    try {
      for (ManagedChannel c : channels) {
        if (!c.awaitTermination(2, TimeUnit.SECONDS)) {
          c.shutdownNow();
        }
      }
    } catch (InterruptedException e) {
      channels.forEach(ManagedChannel::shutdownNow);
      Thread.currentThread().interrupt();
    } finally {
      // A quiet period, not none: a channel given up on above may still cancel a call's timer on
      // another loop, and a loop that already refused tasks would lose that call's completion.
      loops.shutdownGracefully(LOOPS_QUIET_MILLIS, 2_000, TimeUnit.MILLISECONDS);
    }
  }

  private static ChannelCredentials credentials(Target.Tls tls) {
    if (!tls.enabled()) {
      return InsecureChannelCredentials.create();
    }
    TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder();
    try {
      if (tls.skipVerify()) {
        b.trustManager(InsecureTrustManagerFactory.INSTANCE.getTrustManagers());
      } else if (tls.caCert() != null) {
        b.trustManager(tls.caCert().toFile());
      }
      if (tls.cert() != null) {
        b.keyManager(tls.cert().toFile(), tls.key().toFile());
      }
    } catch (IOException e) {
      throw new LoadTestException("cannot read TLS certificate or key: " + e.getMessage(), e);
    }
    return b.build();
  }

  private static Metadata headers(Map<String, String> headers) {
    Metadata m = new Metadata();
    headers.forEach(
        (name, value) -> m.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value));
    return m;
  }
}
