package io.ringserve.loadtest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import inference.GRPCInferenceServiceGrpc;
import inference.GrpcService.ServerLiveRequest;
import inference.GrpcService.ServerLiveResponse;
import inference.GrpcService.ServerReadyRequest;
import inference.GrpcService.ServerReadyResponse;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.ringserve.loadtest.Target;
import io.ringserve.server.testing.TestCertificates;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChannelsTest {
  private static final Metadata.Key<String> TENANT =
      Metadata.Key.of("x-tenant", Metadata.ASCII_STRING_MARSHALLER);

  /** The {@code x-tenant} header of each call the server received, null where absent. */
  private final List<String> tenants = new CopyOnWriteArrayList<>();

  private final ServerInterceptor recordTenant =
      new ServerInterceptor() {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
          tenants.add(headers.get(TENANT));
          return next.startCall(call, headers);
        }
      };
  private final GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase live =
      new GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase() {
        @Override
        public void serverLive(
            ServerLiveRequest request, StreamObserver<ServerLiveResponse> response) {
          response.onNext(ServerLiveResponse.newBuilder().setLive(true).build());
          response.onCompleted();
        }

        @Override
        public void serverReady(
            ServerReadyRequest request, StreamObserver<ServerReadyResponse> response) {
          // Never answered: the caller's deadline ends the call.
        }
      };

  private Server server;

  @BeforeEach
  void startServer() throws Exception {
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(ServerInterceptors.intercept(live, recordTenant))
            .build()
            .start();
  }

  @AfterEach
  void stopServer() throws Exception {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void everyCallOnEveryConnectionCarriesTheTargetsHeaders() {
    Target target = Target.of("127.0.0.1", server.getPort()).withHeader("x-tenant", "blue");
    try (Channels channels = Channels.open(target, 2)) {
      for (int lane = 0; lane < 4; lane++) {
        callLive(channels, lane);
      }
    }
    assertEquals(List.of("blue", "blue", "blue", "blue"), tenants);
  }

  @Test
  void aTargetWithoutHeadersSendsNone() {
    try (Channels channels = Channels.open(Target.of("127.0.0.1", server.getPort()), 1)) {
      callLive(channels, 0);
    }
    assertEquals(1, tenants.size());
    assertNull(tenants.get(0));
  }

  @Test
  void aCallStartedFromACompletionEndsAtItsDeadline() throws Exception {
    // The load loops start each call from the previous one's completion, on a network loop: the
    // call's deadline timer is armed there (CallerLoopGroup) and must still fire.
    CompletableFuture<Status> unanswered = new CompletableFuture<>();
    CompletableFuture<Long> startedNanos = new CompletableFuture<>();
    CompletableFuture<String> completionThread = new CompletableFuture<>();
    try (Channels channels = Channels.open(Target.of("127.0.0.1", server.getPort()), 1)) {
      GRPCInferenceServiceGrpc.newStub(channels.get(0))
          .serverLive(
              ServerLiveRequest.getDefaultInstance(),
              new StreamObserver<>() {
                @Override
                public void onNext(ServerLiveResponse value) {}

                @Override
                public void onError(Throwable t) {
                  unanswered.completeExceptionally(t);
                }

                @Override
                public void onCompleted() {
                  completionThread.complete(Thread.currentThread().getName());
                  startedNanos.complete(System.nanoTime());
                  GRPCInferenceServiceGrpc.newStub(channels.get(0))
                      .withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                      .serverReady(ServerReadyRequest.getDefaultInstance(), statusInto(unanswered));
                }
              });
      Status status = unanswered.get(10, TimeUnit.SECONDS);
      long waitedMillis = (System.nanoTime() - startedNanos.get()) / 1_000_000;
      assertTrue(
          completionThread.get().startsWith("ringserve-loadtest-loop"),
          "completions run on the channels' own loops, got " + completionThread.get());
      assertEquals(Status.Code.DEADLINE_EXCEEDED, status.getCode());
      assertTrue(
          waitedMillis >= 250 && waitedMillis < 5_000, "ended after " + waitedMillis + " ms");
    }
  }

  @Test
  void mutualTlsCarriesTheTargetsCertificatesAndHeaders(@TempDir Path dir) throws Exception {
    TestCertificates authority = new TestCertificates("loadtest");
    Path ca = authority.writeCa(dir.resolve("ca.crt"));
    authority.writeLeaf("server", dir.resolve("server.crt"), dir.resolve("server.key"));
    authority.writeLeaf("client", dir.resolve("client.crt"), dir.resolve("client.key"));
    Server tls =
        NettyServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", 0),
                TlsServerCredentials.newBuilder()
                    .keyManager(
                        dir.resolve("server.crt").toFile(), dir.resolve("server.key").toFile())
                    .trustManager(ca.toFile())
                    .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
                    .build())
            .addService(ServerInterceptors.intercept(live, recordTenant))
            .build()
            .start();
    try {
      Target.Tls mutual =
          new Target.Tls(true, ca, dir.resolve("client.crt"), dir.resolve("client.key"), false);
      Target target =
          new Target(
                  "127.0.0.1",
                  tls.getPort(),
                  mutual,
                  "localhost",
                  Map.of(),
                  Target.DEFAULT_DEADLINE,
                  Target.DEFAULT_CONNECT_TIMEOUT)
              .withHeader("x-tenant", "green");
      try (Channels channels = Channels.open(target, 1)) {
        callLive(channels, 0);
      }
      Target withoutClientCertificate =
          new Target(
              "127.0.0.1",
              tls.getPort(),
              new Target.Tls(true, ca, null, null, false),
              "localhost",
              Map.of(),
              Target.DEFAULT_DEADLINE,
              Target.DEFAULT_CONNECT_TIMEOUT);
      try (Channels channels = Channels.open(withoutClientCertificate, 1)) {
        StatusRuntimeException refused =
            assertThrows(StatusRuntimeException.class, () -> callLive(channels, 0));
        assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
      }
    } finally {
      tls.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    assertEquals(List.of("green"), tenants);
  }

  @Test
  void aTargetThatCannotBeBuiltLeavesNoDescriptorsOpen() throws Exception {
    Path fds = Path.of("/proc/self/fd");
    assumeTrue(Files.isDirectory(fds), "counts descriptors through /proc");
    // A binary header name with a text value: refused while the channels are built, after the
    // event loops (each with its epoll, eventfd and timerfd descriptors) exist.
    Target bad = Target.of("127.0.0.1", server.getPort()).withHeader("x-tenant-bin", "blue");
    long before = openDescriptors(fds);
    for (int i = 0; i < 20; i++) {
      assertThrows(IllegalArgumentException.class, () -> Channels.open(bad, 2));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    long after = openDescriptors(fds);
    while (after > before + 10 && System.nanoTime() < deadline) {
      Thread.sleep(50);
      after = openDescriptors(fds);
    }
    assertTrue(after <= before + 10, "descriptors " + before + " before, " + after + " after");
  }

  private static long openDescriptors(Path fds) throws IOException {
    try (Stream<Path> open = Files.list(fds)) {
      return open.count();
    }
  }

  private static StreamObserver<ServerReadyResponse> statusInto(CompletableFuture<Status> status) {
    return new StreamObserver<>() {
      @Override
      public void onNext(ServerReadyResponse value) {}

      @Override
      public void onError(Throwable t) {
        status.complete(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        status.complete(Status.OK);
      }
    };
  }

  private static void callLive(Channels channels, int lane) {
    ServerLiveResponse response =
        GRPCInferenceServiceGrpc.newBlockingStub(channels.get(lane))
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .serverLive(ServerLiveRequest.getDefaultInstance());
    assertTrue(response.getLive());
  }
}
