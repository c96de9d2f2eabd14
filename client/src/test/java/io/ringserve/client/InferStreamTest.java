package io.ringserve.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inference.GRPCInferenceServiceGrpc;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelStreamInferResponse;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.ringserve.server.testing.TestServers;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link InferStream} against a real server: matching by id, per-request errors, lifecycle. */
class InferStreamTest {
  private static RingServeClient client;

  @BeforeAll
  static void connect() {
    client = RingServeClient.connect(TestServers.shared().target());
  }

  @AfterAll
  static void close() {
    client.close();
  }

  @Test
  void shouldAnswerEachRequestWithItsOwnResult() throws Exception {
    try (InferStream stream = client.openStream()) {
      CompletableFuture<InferResult> first = stream.send(SimpleModel.request(100));
      CompletableFuture<InferResult> second = stream.send(SimpleModel.request(200));
      SimpleModel.check(200, second.get(30, TimeUnit.SECONDS));
      SimpleModel.check(100, first.get(30, TimeUnit.SECONDS));
      assertEquals(0, stream.pendingCount());
    }
  }

  @Test
  void shouldEchoTheCallersId() throws Exception {
    try (InferStream stream = client.openStream()) {
      InferRequest request = SimpleModel.request(1).toBuilder().id("mine-1").build();
      assertEquals("mine-1", stream.send(request).get(30, TimeUnit.SECONDS).id());
    }
  }

  @Test
  void shouldRefuseAnIdStillWaitingForItsAnswer() throws Exception {
    // A server that reads requests and never answers keeps the first one pending.
    String name = InProcessServerBuilder.generateName();
    Server silent =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(
                new GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase() {
                  @Override
                  public StreamObserver<ModelInferRequest> modelStreamInfer(
                      StreamObserver<ModelStreamInferResponse> responses) {
                    return new StreamObserver<>() {
                      @Override
                      public void onNext(ModelInferRequest value) {}

                      @Override
                      public void onError(Throwable t) {}

                      @Override
                      public void onCompleted() {}
                    };
                  }
                })
            .build()
            .start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    try {
      InferStream stream =
          new InferStream(GRPCInferenceServiceGrpc.newStub(channel)::modelStreamInfer);
      InferRequest request = SimpleModel.request(1).toBuilder().id("dup").build();
      CompletableFuture<InferResult> first = stream.send(request);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> stream.send(request));
      assertTrue(e.getMessage().contains("\"dup\""), e.getMessage());
      assertEquals(1, stream.pendingCount());
      stream.cancel();
      ExecutionException cancelled =
          assertThrows(ExecutionException.class, () -> first.get(30, TimeUnit.SECONDS));
      assertEquals(Status.Code.CANCELLED, ((RingServeException) cancelled.getCause()).code());
    } finally {
      channel.shutdownNow();
      silent.shutdownNow();
    }
  }

  @Test
  void shouldFailOneRequestAndKeepTheStreamOpen() throws Exception {
    try (InferStream stream = client.openStream()) {
      InferRequest bad =
          InferRequest.builder("simple").input(Tensor.of("INPUT0", new int[16], 1, 16)).build();
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> stream.send(bad).get(30, TimeUnit.SECONDS));
      RingServeException failure = (RingServeException) e.getCause();
      assertTrue(failure.isStreamError());
      assertTrue(failure.getMessage().contains("INPUT1"), failure.getMessage());
      SimpleModel.check(7, stream.send(SimpleModel.request(7)).get(30, TimeUnit.SECONDS));
    }
  }

  @Test
  void shouldEndNormallyAfterCloseOnceAnswered() throws Exception {
    InferStream stream = client.openStream();
    CompletableFuture<InferResult> result = stream.send(SimpleModel.request(3));
    stream.close();
    SimpleModel.check(3, result.get(30, TimeUnit.SECONDS));
    stream.done().get(30, TimeUnit.SECONDS);
    assertThrows(IllegalStateException.class, () -> stream.send(SimpleModel.request(4)));
  }

  @Test
  void shouldFailPendingRequestsWhenCancelled() throws Exception {
    InferStream stream = client.openStream();
    stream.cancel();
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> stream.done().get(30, TimeUnit.SECONDS));
    assertEquals(Status.Code.CANCELLED, ((RingServeException) e.getCause()).code());
    ExecutionException late =
        assertThrows(
            ExecutionException.class,
            () -> stream.send(SimpleModel.request(1)).get(30, TimeUnit.SECONDS));
    assertEquals(Status.Code.CANCELLED, ((RingServeException) late.getCause()).code());
  }
}
