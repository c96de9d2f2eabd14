package io.ringserve.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.client.InferRequest;
import io.ringserve.client.RetryPolicy;
import io.ringserve.client.RingServeClient;
import io.ringserve.client.Tensor;
import io.ringserve.server.RingServeServer;
import io.ringserve.server.testing.ExampleRepository;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling restart as a Deployment does one: three replicas of the server on 127.0.0.1, restarted
 * one at a time (stopped, then started again on the same port and waited for until the client uses
 * it) while the Java client balances calls over them round-robin. No call may fail.
 *
 * <p>The replicas run in this JVM and are stopped with {@link RingServeServer#drainAndClose}, what
 * the {@code serve} command's SIGTERM handler runs (readiness false, the drain delay, GOAWAY,
 * accepted calls finish), with a drain delay shorter than a cluster's: six JVM starts with
 * TensorFlow do not fit the default run's time on a small machine ({@link EntrypointTest} covers
 * SIGTERM to a real process).
 *
 * <p>What makes it pass: the client's round-robin watches each server's health and stops picking a
 * replica as soon as it says {@code NOT_SERVING}, at the start of the drain delay, so no call is on
 * its connection when GOAWAY and the close come; a new replica is picked once it says {@code
 * SERVING}, with its models loaded. Without health checking, calls still running when the
 * connection closed failed {@code UNAVAILABLE: io exception} after their response had begun, which
 * no retry may repeat.
 */
class RollingRestartTest {
  private static final int REPLICAS = 3;
  private static final Duration START_CAP = Duration.ofSeconds(20);
  private static final Duration STOP_CAP = Duration.ofSeconds(20);
  private static final int CALLERS = 4;
  // Far above the few milliseconds a health update takes to reach the client, even on a loaded
  // machine; a cluster's is seconds, for endpoint updates to reach every node.
  private static final Duration DRAIN_DELAY = Duration.ofSeconds(1);

  @TempDir Path work;

  @Test
  void shouldFailNoCallWhileThreeReplicasRestartOneAtATime() throws Exception {
    Path models = models();
    int[] ports = new int[REPLICAS];
    List<String> targets = new ArrayList<>();
    for (int i = 0; i < REPLICAS; i++) {
      ports[i] = freePort();
      targets.add(TestServer.HOST + ":" + ports[i]);
    }
    RingServeServer[] replicas = new RingServeServer[REPLICAS];
    ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong served = new AtomicLong();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    try {
      for (int i = 0; i < REPLICAS; i++) {
        replicas[i] = start(models, ports[i]);
        awaitReady(targets.get(i));
      }
      try (RingServeClient client =
          RingServeClient.builder()
              .targets(targets)
              .defaultDeadline(Duration.ofSeconds(10))
              .build()) {
        List<Future<?>> loops = new ArrayList<>();
        for (int c = 0; c < CALLERS; c++) {
          loops.add(callers.submit(() -> callUntil(client, stop, served, failures)));
        }
        awaitServed(served, 50);

        for (int i = 0; i < REPLICAS; i++) {
          long stopping = System.nanoTime();
          replicas[i].drainAndClose(DRAIN_DELAY);
          replicas[i] = null;
          assertTrue(
              System.nanoTime() - stopping < STOP_CAP.toNanos(), "a replica took too long to stop");
          replicas[i] = start(models, ports[i]);
          awaitReady(targets.get(i));
          // As a Deployment waits for the new pod before stopping the next, and further, for the
          // client to use it: otherwise the next stop could leave the client one replica.
          awaitInferences(targets.get(i), 20);
          awaitServed(served, served.get() + 50);
        }
        stop.set(true);
        for (Future<?> loop : loops) {
          loop.get(15, TimeUnit.SECONDS);
        }
      }
      assertEquals(List.of(), List.copyOf(failures), served.get() + " calls served");
    } finally {
      stop.set(true);
      callers.shutdownNow();
      for (RingServeServer replica : replicas) {
        if (replica != null) {
          replica.close();
        }
      }
    }
  }

  private static void callUntil(
      RingServeClient client,
      AtomicBoolean stop,
      AtomicLong served,
      ConcurrentLinkedQueue<String> failures) {
    int[] a = new int[16];
    int[] b = new int[16];
    int[] sum = new int[16];
    for (int i = 0; i < 16; i++) {
      a[i] = i;
      b[i] = 2;
      sum[i] = i + 2;
    }
    InferRequest request =
        InferRequest.builder("simple")
            .input(Tensor.of("INPUT0", a, 1, 16))
            .input(Tensor.of("INPUT1", b, 1, 16))
            .build();
    // Bounded by the test's own caps: stop is set once the restarts are over or have failed.
    while (!stop.get()) {
      try {
        assertArrayEquals(sum, client.infer(request).output("OUTPUT0").asInts());
        served.incrementAndGet();
      } catch (RuntimeException | AssertionError e) {
        if (failures.size() < 20) {
          failures.add(describe(e));
        }
      }
    }
  }

  /** The failure and its causes, which tell a refused connection from a reset one. */
  private static String describe(Throwable e) {
    StringBuilder text = new StringBuilder(e.toString());
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      text.append(" <- ").append(c);
    }
    return text.toString();
  }

  /** Waits until the replica at {@code target} has answered {@code atLeast} inferences. */
  private static void awaitInferences(String target, long atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + START_CAP.toNanos();
    long count = 0;
    try (RingServeClient probe = probe(target)) {
      while (System.nanoTime() < deadline) {
        count = probe.modelStatistics().getModelStats(0).getInferenceCount();
        if (count >= atLeast) {
          return;
        }
        Thread.sleep(50);
      }
    }
    throw new AssertionError(
        "the client sent only " + count + " call(s) to the new replica " + target + " in time");
  }

  private static void awaitServed(AtomicLong served, long atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (served.get() < atLeast && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(served.get() >= atLeast, "only " + served.get() + " calls served");
  }

  private static RingServeServer start(Path models, int port) throws IOException {
    return RingServeServer.start(TestServers.config(models).port(port).allowHttp(false).build());
  }

  private static void awaitReady(String target) throws Exception {
    long deadline = System.nanoTime() + START_CAP.toNanos();
    while (System.nanoTime() < deadline) {
      try (RingServeClient probe = probe(target)) {
        if (probe.isServerReady()) {
          return;
        }
      } catch (RuntimeException notYet) {
        // Not listening yet.
      }
      Thread.sleep(100);
    }
    throw new AssertionError(target + " not ready within " + START_CAP);
  }

  /** A client that asks one replica itself, as the kubelet's probe does: no balancing, no retry. */
  private static RingServeClient probe(String target) {
    return RingServeClient.builder()
        .target(target)
        .healthChecking(false)
        .retryPolicy(RetryPolicy.NONE)
        .defaultDeadline(Duration.ofSeconds(1))
        .build();
  }

  /** A repository with only the {@code simple} example. */
  private Path models() throws IOException {
    Path models = work.resolve("models");
    ExampleRepository.copy(ExampleRepository.path().resolve("simple"), models.resolve("simple"));
    return models;
  }

  /** A free port on 127.0.0.1: each replica keeps its port across restarts, as a pod's IP does. */
  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
