package io.ringserve.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.server.testing.TestServers;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 32 concurrent callers, each with its own inputs, through async calls and through one shared
 * stream: every caller must get its own answer (the server batches them together).
 */
class ConcurrentCallersTest {
  private static final int CALLERS = 32;
  private static final int REQUESTS_PER_CALLER = 40;

  private static RingServeClient client;
  private static ExecutorService callers;

  @BeforeAll
  static void connect() {
    client = RingServeClient.connect(TestServers.shared().target());
    callers = Executors.newFixedThreadPool(CALLERS);
  }

  @AfterAll
  static void close() throws InterruptedException {
    callers.shutdownNow();
    assertTrue(callers.awaitTermination(10, TimeUnit.SECONDS));
    client.close();
  }

  @Test
  void shouldAnswerEveryAsyncCallerWithItsOwnResult() throws Exception {
    runCallers(
        caller -> {
          List<CompletableFuture<InferResult>> futures = new ArrayList<>();
          for (int i = 0; i < REQUESTS_PER_CALLER; i++) {
            futures.add(client.inferAsync(SimpleModel.request(seed(caller, i))));
          }
          for (int i = 0; i < REQUESTS_PER_CALLER; i++) {
            SimpleModel.check(seed(caller, i), futures.get(i).get(60, TimeUnit.SECONDS));
          }
        });
  }

  @Test
  void shouldMatchStreamedAnswersToTheirRequests() throws Exception {
    try (InferStream stream = client.openStream()) {
      runCallers(
          caller -> {
            List<CompletableFuture<InferResult>> futures = new ArrayList<>();
            for (int i = 0; i < REQUESTS_PER_CALLER; i++) {
              futures.add(stream.send(SimpleModel.request(seed(caller, i))));
            }
            for (int i = 0; i < REQUESTS_PER_CALLER; i++) {
              SimpleModel.check(seed(caller, i), futures.get(i).get(60, TimeUnit.SECONDS));
            }
          });
      assertEquals(0, stream.pendingCount());
    }
  }

  private static int seed(int caller, int i) {
    return caller * 1000 + i;
  }

  /** Runs {@code body} on {@link #CALLERS} threads released together; rethrows any failure. */
  private static void runCallers(Caller body) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int c = 0; c < CALLERS; c++) {
      int caller = c;
      done.add(
          callers.submit(
              () -> {
                start.await();
                body.run(caller);
                return null;
              }));
    }
    start.countDown();
    for (Future<?> f : done) {
      f.get(120, TimeUnit.SECONDS);
    }
  }

  @FunctionalInterface
  private interface Caller {
    void run(int caller) throws Exception;
  }
}
