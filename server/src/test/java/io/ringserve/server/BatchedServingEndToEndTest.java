package io.ringserve.server;

import static io.ringserve.server.WireTensors.floats;
import static io.ringserve.server.WireTensors.input;
import static io.ringserve.server.WireTensors.int32s;
import static io.ringserve.server.WireTensors.readFloats;
import static io.ringserve.server.WireTensors.readInt32s;
import static io.ringserve.server.WireTensors.simpleRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inference.GRPCInferenceServiceGrpc;
import inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceFutureStub;
import inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceStub;
import inference.GrpcService.InferParameter;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferResponse;
import inference.GrpcService.ModelStatistics;
import inference.GrpcService.ModelStatisticsRequest;
import inference.GrpcService.ModelStatisticsResponse;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.ringserve.batching.ModelScheduler;
import io.ringserve.server.internal.examples.MlpReference;
import io.ringserve.server.internal.examples.MlpWeights;
import io.ringserve.server.internal.metrics.MetricsServer;
import io.ringserve.server.internal.metrics.PrometheusText;
import io.ringserve.server.internal.repository.ModelRepository;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Dynamic batching through the server: concurrent callers share executions yet each gets its own
 * rows; cancelled and expired requests never run; statistics and metrics agree.
 */
class BatchedServingEndToEndTest {

  /** The same network and weights on both engines, so one plain-Java reference checks both. */
  @ParameterizedTest
  @ValueSource(strings = {"mlp", "mlp_onnx"})
  void shouldBatch64ConcurrentMlpCallersAndGiveEachItsOwnOutput(String model) throws Exception {
    TestServer server = TestServers.shared();
    MlpReference reference = new MlpReference(MlpWeights.generate(MlpWeights.DEFAULT_SEED));
    ModelStatistics before = statistics(server, model);
    int callers = 64;
    int requestsEach = 16;
    // Answers are handled on the transport's thread, and every input is made before the load, so
    // that the callers keep the server busy.
    GRPCInferenceServiceStub async =
        GRPCInferenceServiceGrpc.newStub(server.channel()).withExecutor(Runnable::run);
    List<MlpCaller> started = new ArrayList<>();
    for (int c = 0; c < callers; c++) {
      started.add(new MlpCaller(async, model, c, requestsEach));
    }
    for (MlpCaller caller : started) {
      caller.send();
    }
    for (MlpCaller caller : started) {
      for (float[][] pair : caller.done.get(120, TimeUnit.SECONDS)) {
        double[] expected = reference.apply(pair[0]);
        for (int k = 0; k < 10; k++) {
          assertEquals(expected[k], pair[1][k], 1e-5);
        }
      }
    }
    // Successes are counted just after the answers leave, so let the last ones land.
    long expected = before.getInferenceStats().getSuccess().getCount() + callers * requestsEach;
    ModelStatistics after =
        awaitStatistics(
            server, model, s -> s.getInferenceStats().getSuccess().getCount() >= expected);
    long inferences = after.getInferenceCount() - before.getInferenceCount();
    long executions = after.getExecutionCount() - before.getExecutionCount();
    assertEquals(callers * requestsEach, inferences);
    assertEquals(
        callers * requestsEach,
        after.getInferenceStats().getSuccess().getCount()
            - before.getInferenceStats().getSuccess().getCount());
    assertTrue(
        executions * 4 <= inferences,
        "expected at most a quarter as many executions as inferences, got "
            + executions
            + " for "
            + inferences);
  }

  @Test
  void shouldNeverRunRequestsCancelledOrExpiredWhileQueuedBehindASlowBatch(@TempDir Path repository)
      throws Exception {
    Path model = repository.resolve("gated");
    Files.createDirectories(model.resolve("1").resolve("model.gated"));
    Files.writeString(
        model.resolve("config.pbtxt"),
        GatedBackend.config(
            "gated", "dynamic_batching { default_queue_policy { allow_timeout_override: true } }"));
    GatedBackend backend = new GatedBackend();
    try (TestServer server = TestServers.loopback(repository, List.of(backend))) {
      GRPCInferenceServiceFutureStub async =
          GRPCInferenceServiceGrpc.newFutureStub(server.channel());
      // A starts running and holds the only instance until the gate opens.
      var a = async.withDeadlineAfter(30, TimeUnit.SECONDS).modelInfer(gatedRequest(1).build());
      assertTrue(backend.runStarted.await(10, TimeUnit.SECONDS), "A never started");
      // B: its gRPC deadline passes while it waits.
      long bSent = System.nanoTime();
      var b =
          async.withDeadlineAfter(200, TimeUnit.MILLISECONDS).modelInfer(gatedRequest(2).build());
      // C: the caller cancels it while it waits.
      Context.CancellableContext cancellable = Context.current().withCancellation();
      var c =
          cancellable.call(
              () ->
                  async
                      .withDeadlineAfter(30, TimeUnit.SECONDS)
                      .modelInfer(gatedRequest(3).build()));
      // E: its own queue timeout (the Triton "timeout" parameter, in microseconds) passes.
      var e =
          async
              .withDeadlineAfter(30, TimeUnit.SECONDS)
              .modelInfer(
                  gatedRequest(5)
                      .putParameters(
                          "timeout", InferParameter.newBuilder().setInt64Param(100_000).build())
                      .build());
      // Cancel C only once B, C and E are queued behind A: a call cancelled before it reaches
      // the server is never a request there at all.
      ModelScheduler scheduler = server.server().repository().resolve("gated", "").scheduler();
      long queuedBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (scheduler.pendingRequests() < 4 && System.nanoTime() < queuedBy) {
        Thread.onSpinWait();
      }
      assertEquals(4, scheduler.pendingRequests(), "A running and B, C, E queued");
      cancellable.cancel(null);
      assertEquals(Status.Code.CANCELLED, failure(c).getCode());
      assertEquals(Status.Code.DEADLINE_EXCEEDED, failure(b).getCode());
      // The client gives up at its own deadline; the server's copy of it (received as the time
      // left, counted from when the call arrived) passes a transit time later, and B is only
      // looked at when the next batch forms. Let that time pass before A ends, with a wide margin
      // for a slow machine. E's 100 ms are long over by then too.
      awaitNanosAfter(bSent, TimeUnit.MILLISECONDS.toNanos(200 + 300));
      backend.gate.release(100);
      assertEquals(1, readInt32s(a.get(10, TimeUnit.SECONDS).getRawOutputContents(0))[0]);
      // As Triton answers it: UNAVAILABLE, "Request timeout expired".
      Status expired = failure(e);
      assertEquals(Status.Code.UNAVAILABLE, expired.getCode(), expired.toString());
      assertEquals("Request timeout expired", expired.getDescription());
      // ... and tells a client's retry policy (gRFC A6) not to wait that long again.
      assertEquals(
          "-1",
          failureTrailers(e)
              .get(Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER)));
      // D, sent afterwards, runs: the model is fine; only the abandoned requests were skipped.
      assertEquals(
          4,
          readInt32s(server.stub().modelInfer(gatedRequest(4).build()).getRawOutputContents(0))[0]);

      assertEquals(List.of(1, 4), List.copyOf(backend.rowsRun));
      // Statistics are recorded just after each answer leaves, so let the last ones land.
      ModelStatistics stats =
          awaitStatistics(
              server,
              "gated",
              s ->
                  s.getInferenceStats().getSuccess().getCount()
                          + s.getInferenceStats().getFail().getCount()
                      >= 5);
      assertEquals(2, stats.getExecutionCount());
      assertEquals(2, stats.getInferenceCount());
      assertEquals(2, stats.getInferenceStats().getSuccess().getCount());
      assertEquals(3, stats.getInferenceStats().getFail().getCount());
    }
  }

  /** Returns once {@code nanos} have passed since {@code start} on the nanoTime clock. */
  private static void awaitNanosAfter(long start, long nanos) {
    long left;
    while ((left = start + nanos - System.nanoTime()) > 0) {
      LockSupport.parkNanos(left);
    }
  }

  private static ModelInferRequest.Builder gatedRequest(int value) {
    return ModelInferRequest.newBuilder()
        .setModelName("gated")
        .addInputs(input("INPUT0", "INT32", 1, 4))
        .addRawInputContents(int32s(value, value, value, value));
  }

  private static Metadata failureTrailers(
      com.google.common.util.concurrent.ListenableFuture<?> call) throws Exception {
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> call.get(10, TimeUnit.SECONDS));
    return Status.trailersFromThrowable(e.getCause());
  }

  private static Status failure(com.google.common.util.concurrent.ListenableFuture<?> call)
      throws InterruptedException, java.util.concurrent.TimeoutException {
    try {
      call.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return Status.fromThrowable(e.getCause());
    }
    throw new AssertionError("expected the call to fail");
  }

  @Test
  void shouldReportTritonStatisticsPerModelAndForAllModels() throws InterruptedException {
    TestServer server = TestServers.shared();
    ModelStatistics before = statistics(server, "simple");
    for (int i = 0; i < 5; i++) {
      server.stub().modelInfer(simpleRequest().build());
    }
    long expected = before.getInferenceStats().getSuccess().getCount() + 5;
    ModelStatistics after =
        awaitStatistics(
            server, "simple", s -> s.getInferenceStats().getSuccess().getCount() >= expected);
    assertEquals("simple", after.getName());
    assertEquals("1", after.getVersion());
    assertEquals(5, after.getInferenceCount() - before.getInferenceCount());
    assertTrue(after.getExecutionCount() - before.getExecutionCount() >= 1);
    assertEquals(
        5,
        after.getInferenceStats().getSuccess().getCount()
            - before.getInferenceStats().getSuccess().getCount());
    assertTrue(
        after.getInferenceStats().getComputeInfer().getNs()
            > before.getInferenceStats().getComputeInfer().getNs());
    assertTrue(after.getLastInference() >= System.currentTimeMillis() - 60_000);
    assertTrue(after.getBatchStatsCount() >= 1);
    assertEquals(1, after.getBatchStats(0).getBatchSize());

    ModelStatisticsResponse all =
        server.stub().modelStatistics(ModelStatisticsRequest.getDefaultInstance());
    List<String> names = all.getModelStatsList().stream().map(ModelStatistics::getName).toList();
    assertTrue(names.containsAll(List.of("mlp", "simple", "simple_string")), names.toString());

    StatusRuntimeException unknown =
        org.junit.jupiter.api.Assertions.assertThrows(
            StatusRuntimeException.class,
            () ->
                server
                    .stub()
                    .modelStatistics(ModelStatisticsRequest.newBuilder().setName("nope").build()));
    assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
  }

  @Test
  void shouldServeJvmMetricsBeforeTheRepositoryExistsAndModelsOnceItDoes() throws Exception {
    TestServer server = TestServers.shared();
    AtomicReference<ModelRepository> repository = new AtomicReference<>();
    try (MetricsServer metrics =
        MetricsServer.startBeforeRepository("127.0.0.1", 0, repository::get)) {
      HttpClient http = HttpClient.newHttpClient();
      URI uri = URI.create("http://127.0.0.1:" + metrics.port() + "/metrics");
      String before = get(http, uri);
      assertTrue(before.contains("jvm_threads_current"), before);
      assertFalse(before.contains("model=\"simple\""), before);

      repository.set(server.server().repository());
      server.stub().modelInfer(simpleRequest().build());
      PrometheusText after = PrometheusText.parse(get(http, uri));
      assertNotNull(after.value("nv_inference_count{model=\"simple\",version=\"1\"}"));
    }
  }

  @Test
  void shouldExposeMetricsThatParseDuringLoadAndMatchStatistics() throws Exception {
    TestServer server = TestServers.shared();
    try (MetricsServer metrics =
        MetricsServer.start("127.0.0.1", 0, server.server().repository())) {
      HttpClient http = HttpClient.newHttpClient();
      URI uri = URI.create("http://127.0.0.1:" + metrics.port() + "/metrics");
      AtomicBoolean loading = new AtomicBoolean(true);
      ExecutorService load = Executors.newFixedThreadPool(16);
      List<Future<?>> callers = new ArrayList<>();
      for (int c = 0; c < 16; c++) {
        callers.add(
            load.submit(
                () -> {
                  for (int i = 0; i < 200 && loading.get(); i++) {
                    server.stub().modelInfer(simpleRequest().build());
                  }
                }));
      }
      try {
        for (int scrape = 0; scrape < 3; scrape++) {
          PrometheusText during = PrometheusText.parse(get(http, uri));
          assertNotNull(during.value("nv_inference_count{model=\"simple\",version=\"1\"}"));
        }
      } finally {
        loading.set(false);
        for (Future<?> caller : callers) {
          caller.get(60, TimeUnit.SECONDS);
        }
        load.shutdownNow();
      }
      // The last answers' statistics land just after the answers: read both until they agree
      // (bounded), then assert on the final pair.
      ModelStatistics stats = statistics(server, "simple");
      PrometheusText after = PrometheusText.parse(get(http, uri));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (!Double.valueOf(stats.getInferenceCount())
              .equals(after.value("nv_inference_count{model=\"simple\",version=\"1\"}"))
          && System.nanoTime() < deadline) {
        stats = statistics(server, "simple");
        after = PrometheusText.parse(get(http, uri));
      }
      assertEquals(
          (double) stats.getInferenceCount(),
          after.value("nv_inference_count{model=\"simple\",version=\"1\"}"));
      assertEquals(
          (double) stats.getExecutionCount(),
          after.value("nv_inference_exec_count{model=\"simple\",version=\"1\"}"));
      assertEquals(
          (double) stats.getInferenceStats().getSuccess().getCount(),
          after.value("nv_inference_request_success{model=\"simple\",version=\"1\"}"));
    }
  }

  private static String get(HttpClient http, URI uri) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    return response.body();
  }

  /** Reads the model's statistics until {@code settled} holds, for at most 5 s. */
  private static ModelStatistics awaitStatistics(
      TestServer server, String model, java.util.function.Predicate<ModelStatistics> settled)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    ModelStatistics stats = statistics(server, model);
    while (!settled.test(stats) && System.nanoTime() < deadline) {
      Thread.sleep(5); // polling a condition with a deadline, not timing the scheduler
      stats = statistics(server, model);
    }
    return stats;
  }

  private static ModelStatistics statistics(TestServer server, String model) {
    return server
        .stub()
        .modelStatistics(ModelStatisticsRequest.newBuilder().setName(model).build())
        .getModelStats(0);
  }

  /**
   * One of many concurrent callers: sends its own random inputs, each next request as soon as the
   * previous answer arrives, and keeps the pairs (input, output) for the reference check after the
   * load. Asynchronous, so that the callers' pace is set by the server rather than by waking 64
   * client threads on two cores.
   */
  private static final class MlpCaller implements StreamObserver<ModelInferResponse> {
    final CompletableFuture<List<float[][]>> done = new CompletableFuture<>();
    private final GRPCInferenceServiceStub stub;
    private final float[][] inputs;
    private final ModelInferRequest[] requests;
    private final List<float[][]> pairs = new ArrayList<>();

    MlpCaller(GRPCInferenceServiceStub stub, String model, long seed, int count) {
      this.stub = stub;
      SplittableRandom random = new SplittableRandom(seed);
      this.inputs = new float[count][784];
      this.requests = new ModelInferRequest[count];
      for (int r = 0; r < count; r++) {
        for (int i = 0; i < 784; i++) {
          inputs[r][i] = (float) random.nextDouble();
        }
        requests[r] =
            ModelInferRequest.newBuilder()
                .setModelName(model)
                .addInputs(input("INPUT0", "FP32", 1, 784))
                .addRawInputContents(floats(inputs[r]))
                .build();
      }
    }

    void send() {
      stub.withDeadlineAfter(120, TimeUnit.SECONDS).modelInfer(requests[pairs.size()], this);
    }

    @Override
    public void onNext(ModelInferResponse response) {
      pairs.add(new float[][] {inputs[pairs.size()], readFloats(response.getRawOutputContents(0))});
    }

    @Override
    public void onError(Throwable failure) {
      done.completeExceptionally(failure);
    }

    @Override
    public void onCompleted() {
      if (pairs.size() < requests.length) {
        send();
      } else {
        done.complete(pairs);
      }
    }
  }
}
