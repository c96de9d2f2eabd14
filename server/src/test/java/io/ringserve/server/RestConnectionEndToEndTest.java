package io.ringserve.server;

import static io.ringserve.server.RawHttp.get;
import static io.ringserve.server.RawHttp.int32Json;
import static io.ringserve.server.RawHttp.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.server.RawHttp.Response;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one HTTP/1.1 connection may do and what it gets, over raw sockets on 127.0.0.1: answers in
 * request order even when a later pipelined request is refused as it arrives, the header and idle
 * limits as configured, and a large JSON body parsed without stalling other connections.
 */
class RestConnectionEndToEndTest {
  private static final int MAX_HEADER_BYTES = 1024;
  private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(1);

  @TempDir static Path repository;
  private static GatedBackend backend;
  private static TestServer server;

  @BeforeAll
  static void startServer() throws IOException {
    Path model = repository.resolve("gated");
    Files.createDirectories(model.resolve("1").resolve("model.gated"));
    Files.writeString(model.resolve("config.pbtxt"), GatedBackend.config("gated", ""));
    backend = new GatedBackend();
    server =
        TestServers.start(
            TestServers.config(repository)
                .backends(List.of(backend))
                .httpMaxHeaderBytes(MAX_HEADER_BYTES)
                .build());
  }

  @AfterAll
  static void stopServer() throws InterruptedException {
    server.close();
  }

  @Test
  void shouldAnswerAPipelinedOversizedRequestAfterTheRequestBeforeIt() throws Exception {
    backend.runStarted = new CountDownLatch(1);
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write(post("/v2/models/gated/infer", int32Json(7)));
      out.flush();
      assertTrue(backend.runStarted.await(10, TimeUnit.SECONDS), "the first request never ran");
      // While the first is held at the gate, a second one announces a body over the limit.
      out.write(
          ("POST /v2/models/gated/infer HTTP/1.1\r\nHost: x\r\nContent-Length: "
                  + (TestServers.MAX_MESSAGE_BYTES + 1)
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[1024]);
      out.flush();
      // Let the server see (and, before the fix, answer) the second before the first completes.
      Thread.sleep(300);
      backend.gate.release();
      InputStream in = socket.getInputStream();
      Response first = Response.read(in);
      assertEquals(200, first.status(), first.text());
      assertTrue(first.text().contains("\"data\":[7,7,7,7]"), first.text());
      Response second = Response.read(in);
      assertEquals(400, second.status(), second.text());
      assertTrue(second.text().contains("--http-max-input-size"), second.text());
    }
  }

  @Test
  void shouldRefuseHeadersOverTheConfiguredLimitAndTakeThoseUnderIt() throws Exception {
    try (Socket socket = connect()) {
      socket.getOutputStream().write(get("/v2/health/live", MAX_HEADER_BYTES / 2));
      assertEquals(200, Response.read(socket.getInputStream()).status());
    }
    try (Socket socket = connect()) {
      socket.getOutputStream().write(get("/v2/health/live", MAX_HEADER_BYTES + 1));
      Response r = Response.read(socket.getInputStream());
      assertEquals(400, r.status(), r.text());
      assertTrue(r.text().contains("malformed HTTP request"), r.text());
      assertTrue(r.text().contains("--http-max-header-size"), r.text());
    }
  }

  @Test
  void shouldCloseAConnectionIdleForTheConfiguredTimeout() throws Exception {
    // A server of its own: the other tests hold connections idle for a while on purpose.
    try (TestServer idle =
            TestServers.start(
                TestServers.config(repository)
                    .backends(List.of(new GatedBackend()))
                    .httpIdleTimeout(IDLE_TIMEOUT)
                    .build());
        Socket socket = connect(idle)) {
      socket.getOutputStream().write(get("/v2/health/live", 0));
      InputStream in = socket.getInputStream();
      assertEquals(200, Response.read(in).status());
      long start = System.nanoTime();
      socket.setSoTimeout(10_000);
      assertEquals(-1, in.read(), "the server should close the idle connection");
      long waited = System.nanoTime() - start;
      // IdleStateHandler's timer may fire a little early or late; the order of magnitude matters.
      assertTrue(
          waited >= IDLE_TIMEOUT.toNanos() / 2 && waited < TimeUnit.SECONDS.toNanos(8),
          "closed after " + waited / 1_000_000 + " ms");
    }
  }

  @Test
  void shouldAnswerAHealthCheckWhileLargeJsonBodiesAreBeingParsed() throws Exception {
    // Enough connections that every event loop of the server (Netty's default: two per core) holds
    // at least one large body, whichever loop the health check's connection lands on.
    int loops = 2 * Runtime.getRuntime().availableProcessors();
    byte[] body = largeJson(3 << 20);
    byte[] request = post("/v2/models/gated/infer", body);
    List<Socket> large = new ArrayList<>();
    try (Socket health = connect()) {
      for (int i = 0; i < 2 * loops; i++) {
        Socket s = connect();
        large.add(s);
        // All but the last byte: the bodies become whole (and parsed) only when the test says.
        s.getOutputStream().write(request, 0, request.length - 1);
      }
      // The server has every body but its last byte once it has read this far on each loop.
      Thread.sleep(500);
      for (Socket s : large) {
        s.getOutputStream().write(request, request.length - 1, 1);
        s.getOutputStream().flush();
      }
      health.getOutputStream().write(get("/v2/health/live", 0));
      assertEquals(200, Response.read(health.getInputStream()).status());
      int answered = 0;
      for (Socket s : large) {
        answered += s.getInputStream().available() > 0 ? 1 : 0;
      }
      assertEquals(
          0, answered, "the health check waited for large JSON bodies parsed on its event loop");
      for (Socket s : large) {
        Response r = Response.read(s.getInputStream());
        assertEquals(400, r.status(), r.text()); // 3 MiB of values do not fit INPUT0 [1, 4]
      }
    } finally {
      for (Socket s : large) {
        s.close();
      }
    }
  }

  private static Socket connect() throws IOException {
    return RawHttp.connect(server);
  }

  private static Socket connect(TestServer target) throws IOException {
    return RawHttp.connect(target);
  }

  /** About {@code bytes} of JSON: one INT32 input whose data is far more than its shape holds. */
  private static byte[] largeJson(int bytes) {
    StringBuilder sb =
        new StringBuilder(bytes + 100)
            .append("{\"inputs\":[{\"name\":\"INPUT0\",\"datatype\":\"INT32\",")
            .append("\"shape\":[1,4],\"data\":[");
    int i = 0;
    while (sb.length() < bytes) {
      sb.append(i++ % 1000).append(',');
    }
    sb.append("0]}]}");
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }
}
