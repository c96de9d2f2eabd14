package io.ringserve.server.testing;

import inference.GRPCInferenceServiceGrpc;
import inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ringserve.server.RingServeServer;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A real RingServe on 127.0.0.1 (Netty, an ephemeral port) with a plaintext channel to it, for
 * end-to-end tests. Made by {@link TestServers}; closing it closes the channel, then the server.
 *
 * <p>Thread-safe, as the server and the channel are.
 */
public final class TestServer implements AutoCloseable {
  /** The loopback address every test server listens on. */
  public static final String HOST = "127.0.0.1";

  private final RingServeServer server;
  private final ManagedChannel channel;

  TestServer(RingServeServer server) {
    this.server = Objects.requireNonNull(server, "server");
    // Connects on the first call only, so a test that never uses it pays nothing.
    this.channel =
        NettyChannelBuilder.forAddress(HOST, server.port())
            .usePlaintext()
            .maxInboundMessageSize(64 * 1024 * 1024)
            .build();
  }

  /** The running server. */
  public RingServeServer server() {
    return server;
  }

  /** The bound port. */
  public int port() {
    return server.port();
  }

  /** The bound REST port. */
  public int httpPort() {
    return server.httpPort();
  }

  /** {@code http://127.0.0.1:<http port>}, the base of REST URLs. */
  public String httpBase() {
    return "http://" + HOST + ":" + httpPort();
  }

  /** {@code 127.0.0.1:<port>}, as clients take a target. */
  public String target() {
    return HOST + ":" + port();
  }

  /** A plaintext channel to the server, shared by every caller of this fixture. */
  public ManagedChannel channel() {
    return channel;
  }

  /** A blocking stub with a generous deadline, so a hang fails the test instead of the build. */
  public GRPCInferenceServiceBlockingStub stub() {
    return GRPCInferenceServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }
}
