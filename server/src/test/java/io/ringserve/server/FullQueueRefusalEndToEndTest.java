package io.ringserve.server;

import static io.ringserve.server.WireTensors.input;
import static io.ringserve.server.WireTensors.int32s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inference.GRPCInferenceServiceGrpc;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferResponse;
import inference.GrpcService.ModelStatisticsRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.ringserve.batching.ModelScheduler;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under overload a large request to a model whose queue is full is refused from its first bytes
 * (gRPC) or its head (REST), before its body is copied and parsed, with the answer a full queue
 * always gets; everything else is read as before.
 */
class FullQueueRefusalEndToEndTest {
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  /**
   * Not JSON: only a REST refusal made before the body is read answers it with anything but 400.
   */
  private static final byte[] UNPARSEABLE_BODY =
      "x".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);

  /**
   * A message that names {@code model} first and does not parse after that: only a refusal made
   * before the body is read can answer it with anything but INVALID_ARGUMENT.
   */
  private static byte[] largeUnparseableRequestFor(String model) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x0A); // model_name, length-delimited
    out.write(model.length());
    out.writeBytes(model.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    out.write(0x0F); // field 1 with wire type 7, which does not exist
    out.writeBytes(new byte[64 * 1024]);
    return out.toByteArray();
  }

  private static ModelInferRequest smallRequestFor(String model) {
    return ModelInferRequest.newBuilder()
        .setModelName(model)
        .addInputs(input("INPUT0", "INT32", 1, 4))
        .addRawInputContents(int32s(1, 2, 3, 4))
        .build();
  }

  @Test
  void shouldRefuseALargeRequestToAFullQueueBeforeReadingItsBody(@TempDir Path repository)
      throws Exception {
    writeModels(repository);
    FaultyBackend backend = new FaultyBackend();
    try (TestServer server = TestServers.loopback(repository, List.of(backend))) {
      try {
        Status usual = fillTheQueue(server);
        long failedBefore = failures(server, "hangs");

        Status refused =
            RawInferCalls.send(server.channel(), largeUnparseableRequestFor("hangs"), DEADLINE)
                .get(20, TimeUnit.SECONDS);
        Status readAsUsual =
            RawInferCalls.send(server.channel(), largeUnparseableRequestFor("echo"), DEADLINE)
                .get(20, TimeUnit.SECONDS);

        assertEquals(Status.Code.UNAVAILABLE, refused.getCode(), refused.toString());
        assertEquals("Exceeds maximum queue size", refused.getDescription());
        assertEquals(usual.getDescription(), refused.getDescription(), "as submit answers it");
        assertEquals(Status.Code.INVALID_ARGUMENT, readAsUsual.getCode(), readAsUsual.toString());
        // A large valid request to a model with room is looked at, then read whole and served.
        ModelInferRequest large =
            smallRequestFor("echo").toBuilder().setId("x".repeat(20_000)).build();
        ModelInferResponse served =
            server.stub().withDeadlineAfter(10, TimeUnit.SECONDS).modelInfer(large);
        assertEquals(large.getId(), served.getId());
        assertEquals(int32s(1, 2, 3, 4), served.getRawOutputContents(0));
        assertEquals(failedBefore + 1, failures(server, "hangs"), "counted as a failed request");
      } finally {
        backend.release();
      }
    }
  }

  /** {@code hangs} (whose runs never return) and {@code echo}, each with room for one request. */
  private static void writeModels(Path repository) throws Exception {
    for (String name : List.of("hangs", "echo")) {
      Path model = repository.resolve(name);
      Files.createDirectories(model.resolve("1").resolve("model.faulty"));
      Files.writeString(
          model.resolve("config.pbtxt"),
          FaultyBackend.config(
              name, "dynamic_batching { default_queue_policy { max_queue_size: 1 } }"));
    }
  }

  /**
   * One request to {@code hangs} runs (and hangs), the next fills its queue; returns the refusal
   * the usual path then gives a small request. Each step waits for the state it makes, so the queue
   * stays full: a first request still queued when the second arrives would get the second refused,
   * and then leave the queue with room.
   */
  private static Status fillTheQueue(TestServer server) throws InterruptedException {
    ModelScheduler hangs = server.server().repository().resolve("hangs", "").scheduler();
    GRPCInferenceServiceGrpc.GRPCInferenceServiceStub async =
        GRPCInferenceServiceGrpc.newStub(server.channel()).withDeadlineAfter(60, TimeUnit.SECONDS);
    async.modelInfer(smallRequestFor("hangs"), ignoring());
    // Out of the queue and into the only instance, where it hangs.
    awaitUntil(
        () -> hangs.pendingRequests() == 1 && hangs.fullQueueRefusal() == null,
        "the first request never started running");
    async.modelInfer(smallRequestFor("hangs"), ignoring());
    // Queued; it stays there, since the only instance is busy.
    awaitUntil(() -> hangs.pendingRequests() == 2, "the second request never reached the queue");
    return awaitQueueFull(server);
  }

  @Test
  void shouldRefuseALargeRestRequestToAFullQueueFromItsHeadAndKeepTheConnection(
      @TempDir Path repository) throws Exception {
    writeModels(repository);
    FaultyBackend backend = new FaultyBackend();
    try (TestServer server = TestServers.loopback(repository, List.of(backend))) {
      try {
        fillTheQueue(server);
        long failedBefore = failures(server, "hangs");
        try (Socket socket = RawHttp.connect(server)) {
          OutputStream out = socket.getOutputStream();
          InputStream in = socket.getInputStream();
          out.write(RawHttp.post("/v2/models/hangs/infer", RawHttp.int32Json(1)));
          RawHttp.Response usual = RawHttp.Response.read(in);
          out.write(RawHttp.post("/v2/models/hangs/infer", UNPARSEABLE_BODY));
          RawHttp.Response refused = RawHttp.Response.read(in);
          // The same connection, in step after the dropped body.
          out.write(RawHttp.post("/v2/models/hangs/versions/1/infer", UNPARSEABLE_BODY));
          RawHttp.Response refusedByVersion = RawHttp.Response.read(in);
          out.write(RawHttp.get("/v2/health/live", 0));
          RawHttp.Response live = RawHttp.Response.read(in);
          out.write(RawHttp.post("/v2/models/echo/infer", UNPARSEABLE_BODY));
          RawHttp.Response readAsUsual = RawHttp.Response.read(in);

          assertEquals(503, usual.status(), usual.text());
          assertTrue(usual.text().contains("Exceeds maximum queue size"), usual.text());
          assertEquals(usual.status(), refused.status(), refused.text());
          assertEquals(usual.text(), refused.text(), "as submit answers it");
          assertEquals(usual.text(), refusedByVersion.text());
          assertEquals(200, live.status(), live.text());
          assertEquals(400, readAsUsual.status(), readAsUsual.text());
        }
        // A client that closes after its request, its body larger than the socket buffers: the
        // answer comes once the body is drained, so the close loses nothing.
        byte[] large = "x".repeat(2 * 1024 * 1024).getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = RawHttp.connect(server)) {
          byte[] closing =
              new String(
                      RawHttp.post("/v2/models/hangs/infer", new byte[0]),
                      StandardCharsets.US_ASCII)
                  .replace("Content-Length: 0", "Content-Length: " + large.length)
                  .replace("Host: x\r\n", "Host: x\r\nConnection: close\r\n")
                  .getBytes(StandardCharsets.US_ASCII);
          socket.getOutputStream().write(closing);
          socket.getOutputStream().write(large);
          RawHttp.Response refused = RawHttp.Response.read(socket.getInputStream());
          assertEquals(503, refused.status(), refused.text());
          assertEquals(-1, socket.getInputStream().read(), "then the connection closes");
        }
        // A body over the limit is refused for its size, as before, however full the queue.
        try (Socket socket = RawHttp.connect(server)) {
          socket
              .getOutputStream()
              .write(
                  ("POST /v2/models/hangs/infer HTTP/1.1\r\nHost: x\r\nContent-Length: "
                          + (TestServers.MAX_MESSAGE_BYTES + 1)
                          + "\r\n\r\n")
                      .getBytes(StandardCharsets.US_ASCII));
          RawHttp.Response oversized = RawHttp.Response.read(socket.getInputStream());
          assertEquals(400, oversized.status(), oversized.text());
          assertTrue(oversized.text().contains("--http-max-input-size"), oversized.text());
        }
        assertEquals(failedBefore + 4, failures(server, "hangs"), "each counted as failed, once");
      } finally {
        backend.release();
      }
    }
  }

  @Test
  void shouldRefuseFromTheHeadOnlyWithTheRestrictedApiKeyAndKeepACompressedConnectionInStep(
      @TempDir Path repository) throws Exception {
    writeModels(repository);
    FaultyBackend backend = new FaultyBackend();
    try (TestServer server =
        TestServers.start(
            TestServers.config(repository)
                .backends(List.of(backend))
                .httpRestrictions(
                    List.of(GrpcSecurity.Restriction.parseHttp("inference:Infer-Key=secret")))
                .build())) {
      try {
        fillTheQueue(server);
        long failedBefore = failures(server, "hangs");
        try (Socket socket = RawHttp.connect(server)) {
          OutputStream out = socket.getOutputStream();
          InputStream in = socket.getInputStream();
          out.write(RawHttp.post("/v2/models/hangs/infer", UNPARSEABLE_BODY, ""));
          RawHttp.Response withoutKey = RawHttp.Response.read(in);
          out.write(
              RawHttp.post(
                  "/v2/models/hangs/infer",
                  UNPARSEABLE_BODY,
                  "Infer-Key: secret\r\nAccept-Encoding: gzip\r\n"));
          RawHttp.Response withKey = RawHttp.Response.read(in);
          out.write(RawHttp.get("/v2/health/live", 0));
          RawHttp.Response live = RawHttp.Response.read(in);

          // Without the key the usual path answers first, and says nothing of the queue.
          assertEquals(403, withoutKey.status(), withoutKey.text());
          assertTrue(withoutKey.text().contains("infer-key"), withoutKey.text());
          assertEquals(503, withKey.status());
          // The response compressor pairs each answer with its request: still in step.
          assertEquals(200, live.status(), live.text());
        }
        assertEquals(failedBefore + 1, failures(server, "hangs"), "only the keyed one counted");
      } finally {
        backend.release();
      }
    }
  }

  private static StreamObserver<ModelInferResponse> ignoring() {
    return new StreamObserver<>() {
      @Override
      public void onNext(ModelInferResponse value) {}

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    };
  }

  private static long failures(TestServer server, String model) {
    return server
        .stub()
        .modelStatistics(ModelStatisticsRequest.newBuilder().setName(model).build())
        .getModelStats(0)
        .getInferenceStats()
        .getFail()
        .getCount();
  }

  private static void awaitUntil(BooleanSupplier condition, String failure)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < end, failure);
      Thread.sleep(5);
    }
  }

  /**
   * Waits until a small request to the model is refused for a full queue by the usual path (small
   * requests are read whole first); returns that refusal.
   */
  private static Status awaitQueueFull(TestServer server) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try {
        server.stub().withDeadlineAfter(1, TimeUnit.SECONDS).modelInfer(smallRequestFor("hangs"));
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.UNAVAILABLE) {
          return e.getStatus();
        }
        assertTrue(System.nanoTime() < end, "the queue never filled: " + e.getStatus());
      }
      Thread.sleep(5);
    }
  }
}
