package io.ringserve.loadtest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import inference.GrpcService.ModelStatisticsRequest;
import io.ringserve.server.testing.ExampleRepository;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server that goes away in the middle of a run: the calls it refuses are failures, never
 * throughput, and the exit status says the run failed unless {@code --max-error-rate} allows it.
 */
@Timeout(60)
class ServerStopsMidRunTest {
  private record Result(int status, JsonObject report, String err) {}

  /**
   * Runs closed-loop load on {@code simple} and stops the server once it has answered some calls:
   * the stop follows the server's progress, not a delay, so that neither a slow start of the run
   * nor a fast machine finishing early can leave one side of the stop empty.
   */
  private static Result runAgainstAServerThatStops(String... extra) throws Exception {
    TestServer server = TestServers.loopback(ExampleRepository.only("simple"));
    CompletableFuture<Void> stop =
        CompletableFuture.runAsync(
            () -> {
              try {
                awaitSuccesses(server, 20);
                server.close();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    // Far more calls than answered before the stop; the ones after it fail at once.
    String[] base = {
      "--url", server.target(), "-m", "simple", "-c", "4", "-n", "20000", "-z", "30s", "-O", "json"
    };
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status =
        LoadTestCommand.execute(
            args, new PrintWriter(out, true), new PrintWriter(err, true), false);
    stop.get(20, TimeUnit.SECONDS);
    return new Result(
        status, JsonParser.parseString(out.toString()).getAsJsonObject(), err.toString());
  }

  private static void awaitSuccesses(TestServer server, long count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      long answered =
          server
              .stub()
              .modelStatistics(ModelStatisticsRequest.newBuilder().setName("simple").build())
              .getModelStats(0)
              .getInferenceStats()
              .getSuccess()
              .getCount();
      if (answered >= count) {
        return;
      }
      Thread.sleep(2);
    }
  }

  @Test
  void shouldCountOnlySuccessesAsThroughputAndExitNonZero() throws Exception {
    Result r = runAgainstAServerThatStops();

    JsonObject json = r.report();
    long count = json.get("count").getAsLong();
    long ok = json.get("okCount").getAsLong();
    long errors = json.get("errorCount").getAsLong();
    double seconds = json.get("total").getAsLong() / 1e9;
    assertTrue(ok > 0, "calls before the stop succeed: " + json);
    assertTrue(errors > 0, "calls after the stop fail: " + json);
    assertEquals(count, ok + errors);
    assertEquals(ok / seconds, json.get("rps").getAsDouble(), 1e-6 * ok / seconds + 1e-9);
    JsonObject codes = json.getAsJsonObject("statusCodeDistribution");
    assertEquals(ok, codes.get("OK").getAsLong());
    assertTrue(codes.has("Unavailable"), "failures by code: " + codes);
    assertEquals(3, r.status(), r.err());
    assertEquals(1, r.err().lines().count(), "one line: " + r.err());
    assertTrue(r.err().startsWith("ringserve-loadtest: " + errors + " of " + count), r.err());
    assertTrue(r.err().contains("Unavailable"), r.err());
    assertTrue(r.err().contains("--max-error-rate"), r.err());
  }

  @Test
  void shouldExitZeroWhenTheFailuresAreWithinMaxErrorRate() throws Exception {
    Result r = runAgainstAServerThatStops("--max-error-rate", "100%");

    assertTrue(r.report().get("errorCount").getAsLong() > 0, r.report().toString());
    assertEquals(0, r.status(), r.err());
    assertEquals("", r.err());
  }
}
