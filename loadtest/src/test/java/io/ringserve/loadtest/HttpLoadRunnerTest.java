package io.ringserve.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.server.testing.ExampleRepository;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The load generator over the REST protocol ({@code --protocol http}) against a real server on
 * 127.0.0.1: binary and JSON tensors, closed and open loop, the server's statistics read over REST,
 * and failures reported by HTTP status.
 */
@Timeout(60)
class HttpLoadRunnerTest {
  /** The HTTP port of the JVM's shared server over the example models. */
  private final Target target = Target.of(TestServer.HOST, TestServers.shared().httpPort());

  private LoadSpec.Builder http(String model) {
    return LoadSpec.builder(target, model).protocol(Protocol.HTTP);
  }

  @Test
  void shouldCountExactlyWhatTheServerInferredWithBinaryTensors() throws Exception {
    LoadReport r = LoadRunner.runOnce(http("simple").concurrency(4).total(300).build());

    assertEquals(300, r.okCount(), () -> "errors: " + r.errorDistribution());
    assertNotNull(r.server(), "the statistics are read over REST");
    assertEquals(300, r.server().inferenceCount());
    assertEquals(300, r.server().successCount());
  }

  @Test
  void shouldSendJsonTensorsWhenContentsAreTyped() throws Exception {
    LoadReport numbers =
        LoadRunner.runOnce(
            http("simple").contents(ContentsMode.TYPED).concurrency(4).total(200).build());
    LoadReport strings =
        LoadRunner.runOnce(
            http("simple_string").contents(ContentsMode.TYPED).concurrency(2).total(50).build());

    assertEquals(200, numbers.okCount(), () -> "errors: " + numbers.errorDistribution());
    assertEquals(200, numbers.server().inferenceCount());
    assertEquals(50, strings.okCount(), () -> "errors: " + strings.errorDistribution());
  }

  @Test
  void shouldSendClientSideBatchesThatTheServerCountsPerRow() throws Exception {
    LoadReport r = LoadRunner.runOnce(http("mlp").batchSize(4).concurrency(8).total(80).build());

    assertEquals(80, r.okCount(), () -> "errors: " + r.errorDistribution());
    assertEquals(320, r.server().inferenceCount());
  }

  @Test
  void shouldStartTheScheduledNumberOfCallsInOpenLoop() throws Exception {
    LoadReport r =
        LoadRunner.runOnce(http("simple").rps(200).duration(Duration.ofSeconds(3)).build());

    assertTrue(Math.abs(r.count() - 600) <= 30, "600 ± 5 % calls, got " + r.count());
    assertEquals(r.count(), r.okCount(), () -> "errors: " + r.errorDistribution());
    assertEquals(r.count(), r.server().inferenceCount());
  }

  @Test
  void shouldReportFailuresByHttpStatusWithTheServersMessage() throws Exception {
    // A server whose body limit every mlp request exceeds: each call is refused with 400 and its
    // connection closed, so the sender must also open a new connection per call.
    try (TestServer small =
        TestServers.start(
            TestServers.config(ExampleRepository.path()).httpMaxInputBytes(64).build())) {
      LoadReport r =
          LoadRunner.runOnce(
              LoadSpec.builder(Target.of(TestServer.HOST, small.httpPort()), "mlp")
                  .protocol(Protocol.HTTP)
                  .concurrency(2)
                  .total(20)
                  .build());

      assertEquals(20, r.count());
      assertEquals(0, r.okCount());
      assertEquals(Map.of("InvalidArgument", 20L), r.statusCodeDistribution());
      String error = r.errorDistribution().keySet().iterator().next();
      assertTrue(
          error.startsWith("HTTP 400: request body is larger than the maximum allowed value"),
          error);
      assertEquals(1, r.errorDistribution().size(), () -> "errors: " + r.errorDistribution());
    }
  }

  @Test
  void shouldSayWhenTheModelIsNotThere() {
    LoadTestException e =
        assertThrows(LoadTestException.class, () -> LoadRunner.open(http("no_such_model").build()));

    assertTrue(e.getMessage().contains("'no_such_model' not available"), e.getMessage());
  }

  @Test
  void shouldRefuseStreamingOverHttp() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> http("simple").stream(true).build());

    assertTrue(e.getMessage().contains("gRPC only"), e.getMessage());
  }
}
