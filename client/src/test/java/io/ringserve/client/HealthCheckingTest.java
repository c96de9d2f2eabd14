package io.ringserve.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inference.GrpcService.ModelStatistics;
import io.ringserve.server.testing.ExampleRepository;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Client-side health checking: a server that says it is not ready (a pod in its drain delay) gets
 * no calls from a client balancing over several targets, while its port still answers; a client of
 * that server alone still gets served.
 */
class HealthCheckingTest {
  private static final int REQUESTS = 60;

  private TestServer serving;
  private TestServer draining;

  @BeforeEach
  void startServers() throws IOException {
    serving = TestServers.loopback(ExampleRepository.only("simple"));
    draining = TestServers.loopback(ExampleRepository.only("simple"));
    // Before any client connects: the first health answer it gets is NOT_SERVING.
    draining.server().markDraining();
  }

  @AfterEach
  void stopServers() throws InterruptedException {
    serving.close();
    draining.close();
  }

  @Test
  void shouldSendNoCallToAServerThatSaysItIsNotServing() {
    try (RingServeClient client = balancing().build()) {
      for (int i = 0; i < REQUESTS; i++) {
        SimpleModel.check(i, client.infer(SimpleModel.request(i)));
      }
    }
    assertEquals(0, inferenceCount(draining), "calls sent to the draining server");
    assertEquals(REQUESTS, inferenceCount(serving));
  }

  @Test
  void shouldBalanceOverEveryServerWithHealthCheckingOff() {
    // Round-robin over two connected servers: the draining one, still serving, gets about half,
    // once both connections are up (bounded for a slow machine).
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    try (RingServeClient client = balancing().healthChecking(false).build()) {
      do {
        for (int i = 0; i < REQUESTS; i++) {
          SimpleModel.check(i, client.infer(SimpleModel.request(i)));
        }
      } while (inferenceCount(draining) == 0 && System.nanoTime() < deadline);
    }
    assertTrue(inferenceCount(draining) > 0, "the draining server got no call");
  }

  @Test
  void shouldStillServeThroughADrainingServerWhenItIsTheOnlyTarget() {
    // One address may be a Service in front of several servers: calls go on until it closes.
    try (RingServeClient client = RingServeClient.builder().target(draining.target()).build()) {
      SimpleModel.check(7, client.infer(SimpleModel.request(7)));
    }
    assertEquals(1, inferenceCount(draining));
  }

  private RingServeClientBuilder balancing() {
    return RingServeClient.builder().targets(List.of(serving.target(), draining.target()));
  }

  /** Successful inferences of {@code simple} as the server itself counts them. */
  private static long inferenceCount(TestServer server) {
    try (RingServeClient direct =
        RingServeClient.builder().target(server.target()).healthChecking(false).build()) {
      return direct.modelStatistics("simple", "").getModelStatsList().stream()
          .mapToLong(ModelStatistics::getInferenceCount)
          .sum();
    }
  }
}
