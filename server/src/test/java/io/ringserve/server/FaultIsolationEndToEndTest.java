package io.ringserve.server;

import static io.ringserve.server.WireTensors.input;
import static io.ringserve.server.WireTensors.int32s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import inference.GRPCInferenceServiceGrpc;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferResponse;
import inference.GrpcService.ModelReadyRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scope 9 of the reliability issue: a failing model hurts only its own requests. A runner that
 * throws fails its batch with INTERNAL and a clean reason; one that never returns still lets every
 * caller get DEADLINE_EXCEEDED at its deadline while other models serve; an output with the wrong
 * number of rows is INTERNAL naming the output.
 */
class FaultIsolationEndToEndTest {
  @TempDir static Path repository;

  private static final FaultyBackend BACKEND = new FaultyBackend();
  private static TestServer server;
  // The same models behind a server whose calls without a deadline get one of 1 s.
  private static TestServer shortDefaultDeadline;

  @BeforeAll
  static void startServer() throws Exception {
    for (String name : List.of("hangs", "throws", "misshaped", "healthy")) {
      Path model = repository.resolve(name);
      Files.createDirectories(model.resolve("1").resolve("model.faulty"));
      Files.writeString(model.resolve("config.pbtxt"), FaultyBackend.config(name));
    }
    server = TestServers.loopback(repository, List.of(BACKEND));
    shortDefaultDeadline =
        TestServers.start(
            TestServers.config(repository)
                .backends(List.of(BACKEND))
                .grpcLimits(GrpcLimits.builder().defaultDeadline(Duration.ofSeconds(1)).build())
                .build());
    // Connected and warm before the clocks start, as a serving client's channel is.
    server.stub().withDeadlineAfter(30, TimeUnit.SECONDS).modelInfer(request("healthy", 0));
  }

  @AfterAll
  static void stopServer() throws InterruptedException {
    BACKEND.release();
    if (server != null) {
      server.close();
    }
    if (shortDefaultDeadline != null) {
      shortDefaultDeadline.close();
    }
  }

  private static ModelInferRequest request(String model, int value) {
    return ModelInferRequest.newBuilder()
        .setModelName(model)
        .addInputs(input("INPUT0", "INT32", 1, 4))
        .addRawInputContents(int32s(value, value, value, value))
        .build();
  }

  private static void healthyIsServed() {
    ModelInferResponse response =
        server.stub().withDeadlineAfter(2, TimeUnit.SECONDS).modelInfer(request("healthy", 7));
    assertEquals(int32s(7, 7, 7, 7), response.getRawOutputContents(0));
  }

  @Test
  void shouldFailOnlyTheBatchOfARunnerThatThrows() {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                server
                    .stub()
                    .withDeadlineAfter(2, TimeUnit.SECONDS)
                    .modelInfer(request("throws", 1)));
    assertEquals(Status.Code.INTERNAL, e.getStatus().getCode(), e.toString());
    String description = e.getStatus().getDescription();
    assertFalse(description.contains("Exception"), description);
    assertFalse(description.contains("java."), description);
    healthyIsServed();
    // The model's threads survive: it fails the next batch the same way, not by hanging.
    StatusRuntimeException again =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                server
                    .stub()
                    .withDeadlineAfter(2, TimeUnit.SECONDS)
                    .modelInfer(request("throws", 2)));
    assertEquals(Status.Code.INTERNAL, again.getStatus().getCode());
  }

  @Test
  void shouldAnswerEveryCallerOfAHungModelAtItsDeadlineWhileOthersServe() throws Exception {
    var async = GRPCInferenceServiceGrpc.newFutureStub(server.channel());
    List<ListenableFuture<ModelInferResponse>> calls = new ArrayList<>();
    long started = System.nanoTime();
    for (int i = 0; i < 20; i++) {
      calls.add(async.withDeadlineAfter(1, TimeUnit.SECONDS).modelInfer(request("hangs", i)));
    }
    healthyIsServed();
    for (ListenableFuture<ModelInferResponse> call : calls) {
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> call.get(5, TimeUnit.SECONDS));
      assertEquals(Status.Code.DEADLINE_EXCEEDED, Status.fromThrowable(e.getCause()).getCode());
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertTrue(millis < 3000, "every caller answered near its 1 s deadline, took " + millis);
    healthyIsServed();
    assertTrue(
        server
            .stub()
            .withDeadlineAfter(2, TimeUnit.SECONDS)
            .modelReady(ModelReadyRequest.newBuilder().setName("healthy").build())
            .getReady());
  }

  @Test
  void shouldAnswerInternalNamingAnOutputWithTheWrongRows() {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                server
                    .stub()
                    .withDeadlineAfter(2, TimeUnit.SECONDS)
                    .modelInfer(request("misshaped", 1)));
    assertEquals(Status.Code.INTERNAL, e.getStatus().getCode(), e.toString());
    assertTrue(e.getStatus().getDescription().contains("'OUTPUT0'"), e.toString());
    healthyIsServed();
  }

  @Test
  void shouldEndACallWithoutADeadlineAtTheServersDefaultDeadline() {
    long started = System.nanoTime();
    // No deadline from the client: without the server's default, this call would wait for the
    // hung model for good, holding its request's memory.
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                GRPCInferenceServiceGrpc.newBlockingStub(shortDefaultDeadline.channel())
                    .modelInfer(request("hangs", 3)));
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode(), e.toString());
    assertTrue(millis >= 900 && millis < 4000, "answered at the 1 s default deadline: " + millis);
    ModelInferResponse response =
        shortDefaultDeadline
            .stub()
            .withDeadlineAfter(2, TimeUnit.SECONDS)
            .modelInfer(request("healthy", 5));
    assertEquals(int32s(5, 5, 5, 5), response.getRawOutputContents(0));
  }
}
