package io.ringserve.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inference.GrpcService.ModelStatistics;
import io.ringserve.server.testing.ExampleRepository;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One client in front of three servers: round-robin balance, and no failure when one stops. */
class SeveralServersTest {
  private static final int REQUESTS = 3000;
  private static final int CALLERS = 8;

  private final List<TestServer> servers = new ArrayList<>();
  private ExecutorService callers;
  private RingServeClient client;

  @BeforeEach
  void startServers() throws IOException {
    for (int i = 0; i < 3; i++) {
      servers.add(TestServers.loopback(ExampleRepository.only("simple")));
    }
    client =
        RingServeClient.builder()
            .targets(servers.stream().map(s -> "127.0.0.1:" + s.port()).toList())
            .build();
    callers = Executors.newFixedThreadPool(CALLERS);
  }

  @AfterEach
  void stopServers() throws InterruptedException {
    callers.shutdownNow();
    assertTrue(callers.awaitTermination(10, TimeUnit.SECONDS));
    client.close();
    for (TestServer server : servers) {
      server.close();
    }
  }

  @Test
  void shouldSpreadRequestsEvenlyOverThreeServers() throws Exception {
    AtomicInteger next = new AtomicInteger();
    runCallers(
        () -> {
          for (int i = next.getAndIncrement(); i < REQUESTS; i = next.getAndIncrement()) {
            SimpleModel.check(i, client.infer(SimpleModel.request(i)));
          }
        });
    long total = 0;
    for (TestServer server : servers) {
      long count = inferenceCount(server);
      total += count;
      double share = (double) count / REQUESTS;
      assertTrue(
          share >= 0.2333 && share <= 0.4333,
          "server on port " + server.port() + " got " + count + " of " + REQUESTS);
    }
    assertEquals(REQUESTS, total);
  }

  @Test
  void shouldFailNoRequestWhenOneServerStopsMidRun() throws Exception {
    AtomicInteger next = new AtomicInteger();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    CountDownLatch thirdDone = new CountDownLatch(REQUESTS / 3);
    TestServer stopped = servers.get(1);
    ExecutorService stopperThread = Executors.newSingleThreadExecutor();
    Future<?> stopper =
        stopperThread.submit(
            () -> {
              thirdDone.await();
              // As SIGTERM stops it: not ready, a short drain delay, then GOAWAY and close.
              stopped.server().drainAndClose(Duration.ofMillis(500));
              stopped.close();
              return null;
            });
    stopperThread.shutdown();
    runCallers(
        () -> {
          for (int i = next.getAndIncrement(); i < REQUESTS; i = next.getAndIncrement()) {
            try {
              SimpleModel.check(i, client.infer(SimpleModel.request(i)));
            } catch (RuntimeException | AssertionError e) {
              failures.add(e);
            }
            thirdDone.countDown();
          }
        });
    stopper.get(30, TimeUnit.SECONDS);
    servers.remove(stopped);
    assertEquals(List.of(), List.copyOf(failures));
    long served = 0;
    for (TestServer running : servers) {
      served += inferenceCount(running);
    }
    assertTrue(served > REQUESTS / 2, "the two remaining servers answered only " + served);
  }

  /** Successful inferences of {@code simple} as the server itself counts them. */
  private static long inferenceCount(TestServer server) {
    try (RingServeClient direct = RingServeClient.connect("127.0.0.1:" + server.port())) {
      return direct.modelStatistics("simple", "").getModelStatsList().stream()
          .mapToLong(ModelStatistics::getInferenceCount)
          .sum();
    }
  }

  private void runCallers(Runnable body) throws Exception {
    List<Future<?>> done = new ArrayList<>();
    for (int c = 0; c < CALLERS; c++) {
      done.add(callers.submit(body));
    }
    for (Future<?> f : done) {
      f.get(120, TimeUnit.SECONDS);
    }
  }
}
