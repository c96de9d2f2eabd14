package io.ringserve.loadtest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.ringserve.loadtest.Target;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ChannelsTest {
  private static final Metadata.Key<String> TENANT =
      Metadata.Key.of("x-tenant", Metadata.ASCII_STRING_MARSHALLER);

  /** The {@code x-tenant} header of each call the server received, null where absent. */
  private final List<String> tenants = new CopyOnWriteArrayList<>();

  private Server server;

  @BeforeEach
  void startServer() throws Exception {
    ServerInterceptor recordTenant =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            tenants.add(headers.get(TENANT));
            return next.startCall(call, headers);
          }
        };
    GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase live =
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
                  startedNanos.complete(System.nanoTime());
                  GRPCInferenceServiceGrpc.newStub(channels.get(0))
                      .withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                      .serverReady(
                          ServerReadyRequest.getDefaultInstance(), failureInto(unanswered));
                }
              });
      Status status = unanswered.get(10, TimeUnit.SECONDS);
      long waitedMillis = (System.nanoTime() - startedNanos.get()) / 1_000_000;
      assertEquals(Status.Code.DEADLINE_EXCEEDED, status.getCode());
      assertTrue(
          waitedMillis >= 250 && waitedMillis < 5_000, "ended after " + waitedMillis + " ms");
    }
  }

  private static StreamObserver<ServerReadyResponse> failureInto(CompletableFuture<Status> status) {
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
