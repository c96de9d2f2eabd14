package io.ringserve.server;

import inference.GRPCInferenceServiceGrpc;
import inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ringserve.server.backend.Backend;
import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.backend.Backends;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real RingServe on 127.0.0.1 (Netty, ephemeral port) over a model repository folder, with a
 * client channel to it. Tests share one per class: loading models takes seconds.
 */
public final class ServerFixture implements AutoCloseable {
  /** Inbound message limit the fixture's server runs with, small enough to test cheaply. */
  public static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

  private final RingServeServer server;
  private final ManagedChannel channel;

  private ServerFixture(RingServeServer server) {
    this.server = server;
    this.channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port())
            .usePlaintext()
            .maxInboundMessageSize(64 * 1024 * 1024)
            .build();
  }

  public static ServerFixture start(Path repository) throws IOException {
    return start(repository, Backends.all());
  }

  /** A server whose repository is matched against {@code backends} (test fakes included). */
  public static ServerFixture start(Path repository, List<Backend> backends) throws IOException {
    return new ServerFixture(
        RingServeServer.start(
            new RingServeServer.Config(
                "127.0.0.1",
                0,
                repository,
                backends,
                new BackendOptions(0, 0),
                MAX_MESSAGE_BYTES,
                true,
                Duration.ofSeconds(5))));
  }

  public RingServeServer server() {
    return server;
  }

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
