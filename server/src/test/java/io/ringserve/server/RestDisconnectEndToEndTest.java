package io.ringserve.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringserve.batching.ModelScheduler;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A REST caller that closes its connection while its request waits in the queue has the request
 * dropped, never run, as a cancelled gRPC call's: the model does no work for nobody.
 */
class RestDisconnectEndToEndTest {
  @Test
  void shouldNeverRunARequestWhoseConnectionClosedWhileQueued(@TempDir Path repository)
      throws Exception {
    Path model = repository.resolve("gated");
    Files.createDirectories(model.resolve("1").resolve("model.gated"));
    Files.writeString(model.resolve("config.pbtxt"), GatedBackend.config("gated", ""));
    GatedBackend backend = new GatedBackend();
    try (TestServer server = TestServers.loopback(repository, List.of(backend))) {
      RestCalls rest = new RestCalls(server.httpBase());
      // A starts running and holds the only instance until the gate opens.
      CompletableFuture<HttpResponse<byte[]>> a =
          CompletableFuture.supplyAsync(() -> rest.postJson("/v2/models/gated/infer", gated(1)));
      assertTrue(backend.runStarted.await(10, TimeUnit.SECONDS), "A never started");
      // B, on its own connection, queues behind A; then its caller goes away.
      URI base = URI.create(server.httpBase());
      byte[] body = RestCalls.JSON.writeValueAsBytes(gated(2));
      ModelScheduler scheduler = server.server().repository().resolve("gated", "").scheduler();
      try (Socket b = new Socket(base.getHost(), base.getPort())) {
        OutputStream out = b.getOutputStream();
        out.write(
            ("POST /v2/models/gated/infer HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nContent-Length: "
                    + body.length
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        long queuedBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (scheduler.pendingRequests() < 2 && System.nanoTime() < queuedBy) {
          Thread.onSpinWait();
        }
        assertEquals(2, scheduler.pendingRequests(), "A running and B queued");
      }
      // Loopback delivers the close at once; give the server's event loop a moment to see it.
      Thread.sleep(300);
      backend.gate.release(100);
      HttpResponse<byte[]> answerA = a.get(10, TimeUnit.SECONDS);
      assertEquals(200, answerA.statusCode(), new String(answerA.body(), StandardCharsets.UTF_8));
      // C, sent afterwards, runs: only the abandoned request was skipped.
      HttpResponse<byte[]> answerC = rest.postJson("/v2/models/gated/infer", gated(3));
      assertEquals(200, answerC.statusCode(), new String(answerC.body(), StandardCharsets.UTF_8));
      JsonNode c = RestCalls.json(answerC).get("outputs").get(0).get("data");
      assertEquals(3, c.get(0).asInt());
      assertEquals(List.of(1, 3), List.copyOf(backend.rowsRun));
    }
  }

  private static ObjectNode gated(int value) {
    ObjectNode request = RestCalls.object();
    ObjectNode in =
        request.putArray("inputs").addObject().put("name", "INPUT0").put("datatype", "INT32");
    in.putArray("shape").add(1).add(4);
    in.putArray("data").add(value).add(value).add(value).add(value);
    return request;
  }
}
