package io.ringserve.server;

import static io.ringserve.server.RawHttp.int32Json;
import static io.ringserve.server.RawHttp.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringserve.batching.ModelScheduler;
import io.ringserve.server.RawHttp.Response;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST default deadline ({@code --http-default-deadline-secs}) against real servers on
 * 127.0.0.1: a REST caller of a model that never returns gets 503 naming the flag at the deadline
 * while other models keep answering, its keep-alive connection goes on serving in request order, a
 * request that expired while queued is never run, and with the flag at 0 nothing is ended by the
 * server. Triton's per-request {@code "timeout"} parameter is honoured over REST as over gRPC.
 */
class RestDeadlineEndToEndTest {
  private static final Duration DEADLINE = Duration.ofSeconds(2);
  private static final long DEADLINE_MILLIS = DEADLINE.toMillis();

  @TempDir static Path repository;

  private static final FaultyBackend FAULTY = new FaultyBackend();
  private static final GatedBackend GATED = new GatedBackend();
  private static final GatedBackend GATED_NO_DEADLINE = new GatedBackend();
  // Default deadline of 2 s.
  private static TestServer server;
  // The same models with no REST deadline at all.
  private static TestServer noDeadline;

  @BeforeAll
  static void startServers() throws Exception {
    for (String name : List.of("hangs", "healthy")) {
      Path model = repository.resolve(name);
      Files.createDirectories(model.resolve("1").resolve("model.faulty"));
      Files.writeString(model.resolve("config.pbtxt"), FaultyBackend.config(name));
    }
    Path gated = repository.resolve("gated");
    Files.createDirectories(gated.resolve("1").resolve("model.gated"));
    Files.writeString(
        gated.resolve("config.pbtxt"),
        GatedBackend.config(
            "gated", "dynamic_batching { default_queue_policy { allow_timeout_override: true } }"));
    server =
        TestServers.start(
            TestServers.config(repository)
                .backends(List.of(FAULTY, GATED))
                .httpDefaultDeadline(DEADLINE)
                .build());
    noDeadline =
        TestServers.start(
            TestServers.config(repository)
                .backends(List.of(FAULTY, GATED_NO_DEADLINE))
                .httpDefaultDeadline(Duration.ZERO)
                .build());
  }

  @AfterAll
  static void stopServers() throws InterruptedException {
    FAULTY.release();
    GATED.gate.release(1_000);
    GATED_NO_DEADLINE.gate.release(1_000);
    if (server != null) {
      server.close();
    }
    if (noDeadline != null) {
      noDeadline.close();
    }
  }

  @BeforeEach
  void closeGates() {
    for (GatedBackend backend : List.of(GATED, GATED_NO_DEADLINE)) {
      backend.gate.drainPermits();
      backend.runStarted = new CountDownLatch(1);
      backend.rowsRun.clear();
    }
  }

  @Test
  void shouldAnswer503NamingTheFlagAtTheDeadlineWhileOtherModelsServeAndKeepTheConnection()
      throws Exception {
    RestCalls other = new RestCalls(server.httpBase());
    try (Socket socket = RawHttp.connect(server)) {
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      long started = System.nanoTime();
      out.write(post("/v2/models/hangs/infer", int32Json(1)));
      out.flush();

      // Another model answers on another connection while this one waits for its hung model.
      HttpResponse<byte[]> healthy =
          other.post("/v2/models/healthy/infer", int32Json(2), "Content-Type", "application/json");
      assertEquals(200, healthy.statusCode(), new String(healthy.body(), StandardCharsets.UTF_8));
      assertTrue(millisSince(started) < DEADLINE_MILLIS, "healthy answered behind the hung one");

      // Pipelined behind the hung request, half a deadline later: answered after it, in order.
      awaitMillisAfter(started, DEADLINE_MILLIS / 2);
      out.write(post("/v2/models/healthy/infer", int32Json(5)));
      out.flush();

      Response expired = Response.read(in);
      long millis = millisSince(started);
      assertEquals(503, expired.status(), expired.text());
      JsonNode error = RestCalls.JSON.readTree(expired.body());
      String message = error.get("error").asText();
      assertTrue(message.contains("2 s (--http-default-deadline-secs)"), message);
      assertTrue(
          millis >= DEADLINE_MILLIS - 100 && millis < DEADLINE_MILLIS + 2_000,
          "answered at the 2 s default deadline: " + millis + " ms");

      Response pipelined = Response.read(in);
      assertEquals(200, pipelined.status(), pipelined.text());
      assertTrue(pipelined.text().contains("\"data\":[5,5,5,5]"), pipelined.text());

      // The same keep-alive connection serves the next request too.
      out.write(post("/v2/models/healthy/infer", int32Json(6)));
      out.flush();
      Response next = Response.read(in);
      assertEquals(200, next.status(), next.text());
      assertTrue(next.text().contains("\"data\":[6,6,6,6]"), next.text());
    }
  }

  @Test
  void shouldNeverRunARequestWhoseDeadlinePassedWhileQueuedNorSendTheLateAnswer() throws Exception {
    ModelScheduler scheduler = server.server().repository().resolve("gated", "").scheduler();
    try (Socket running = RawHttp.connect(server);
        Socket queued = RawHttp.connect(server)) {
      running.getOutputStream().write(post("/v2/models/gated/infer", int32Json(1)));
      running.getOutputStream().flush();
      assertTrue(GATED.runStarted.await(10, TimeUnit.SECONDS), "the first request never ran");
      queued.getOutputStream().write(post("/v2/models/gated/infer", int32Json(2)));
      queued.getOutputStream().flush();
      long queuedBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (scheduler.pendingRequests() < 2 && System.nanoTime() < queuedBy) {
        Thread.onSpinWait();
      }
      assertEquals(2, scheduler.pendingRequests(), "one running and one queued");

      // Both reach the deadline: the running one's model is held, the other waits behind it.
      assertEquals(503, Response.read(running.getInputStream()).status());
      assertEquals(503, Response.read(queued.getInputStream()).status());

      // The model returns at last: the running request's late answer goes nowhere, and the next
      // request on its connection gets its own answer.
      GATED.gate.release(100);
      running.getOutputStream().write(post("/v2/models/gated/infer", int32Json(3)));
      running.getOutputStream().flush();
      Response next = Response.read(running.getInputStream());
      assertEquals(200, next.status(), next.text());
      assertTrue(next.text().contains("\"data\":[3,3,3,3]"), next.text());
      assertEquals(List.of(1, 3), List.copyOf(GATED.rowsRun), "the expired queued request ran");
    }
  }

  @Test
  void shouldLeaveAWaitingRequestAloneWhenTheDeadlineIsZero() throws Exception {
    RestCalls rest = new RestCalls(noDeadline.httpBase());
    CompletableFuture<HttpResponse<byte[]>> call =
        CompletableFuture.supplyAsync(
            () ->
                rest.post(
                    "/v2/models/gated/infer", int32Json(4), "Content-Type", "application/json"));
    assertTrue(GATED_NO_DEADLINE.runStarted.await(10, TimeUnit.SECONDS), "it never ran");
    // Longer than the 2 s the other server would allow, counted from when the run started.
    assertThrows(
        TimeoutException.class,
        () -> call.get(DEADLINE_MILLIS + 500, TimeUnit.MILLISECONDS),
        "answered although no deadline is set");
    GATED_NO_DEADLINE.gate.release(1);
    HttpResponse<byte[]> answer = call.get(10, TimeUnit.SECONDS);
    assertEquals(200, answer.statusCode(), new String(answer.body(), StandardCharsets.UTF_8));
  }

  @Test
  void shouldHonourTritonsTimeoutParameterOverRestAnswering503() throws Exception {
    RestCalls rest = new RestCalls(noDeadline.httpBase());
    CompletableFuture<HttpResponse<byte[]>> running =
        CompletableFuture.supplyAsync(
            () ->
                rest.post(
                    "/v2/models/gated/infer", int32Json(1), "Content-Type", "application/json"));
    assertTrue(GATED_NO_DEADLINE.runStarted.await(10, TimeUnit.SECONDS), "it never ran");
    ObjectNode request = (ObjectNode) RestCalls.JSON.readTree(int32Json(5));
    request.putObject("parameters").put("timeout", 100_000); // microseconds, as Triton's
    CompletableFuture<HttpResponse<byte[]>> timesOut =
        CompletableFuture.supplyAsync(() -> rest.postJson("/v2/models/gated/infer", request));
    ModelScheduler scheduler = noDeadline.server().repository().resolve("gated", "").scheduler();
    long queuedBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (scheduler.pendingRequests() < 2 && System.nanoTime() < queuedBy) {
      Thread.sleep(1);
    }
    assertEquals(2, scheduler.pendingRequests(), "one running and one queued");
    // The queue timeout is looked at when the next batch forms: let it pass first, with margin,
    // counted from when the request was seen queued (it may take a while to get there).
    awaitMillisAfter(System.nanoTime(), 500);
    GATED_NO_DEADLINE.gate.release(100);
    assertEquals(200, running.get(10, TimeUnit.SECONDS).statusCode());
    HttpResponse<byte[]> expired = timesOut.get(10, TimeUnit.SECONDS);
    String body = new String(expired.body(), StandardCharsets.UTF_8);
    assertEquals(503, expired.statusCode(), body);
    assertTrue(body.contains("Request timeout expired"), body);
    assertEquals(List.of(1), List.copyOf(GATED_NO_DEADLINE.rowsRun));
  }

  private static long millisSince(long start) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  private static void awaitMillisAfter(long start, long millis) {
    long left;
    while ((left = start + TimeUnit.MILLISECONDS.toNanos(millis) - System.nanoTime()) > 0) {
      LockSupport.parkNanos(left);
    }
  }
}
