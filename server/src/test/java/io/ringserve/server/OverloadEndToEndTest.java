package io.ringserve.server;

import static io.ringserve.server.WireTensors.floats;
import static io.ringserve.server.WireTensors.input;
import static io.ringserve.server.WireTensors.int32s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inference.GRPCInferenceServiceGrpc;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overload correctness, bounded for the default run: open loop at several times a model's capacity
 * with {@code max_queue_size} set, and closed loop at concurrency 1,024 on {@code mlp}. Every
 * request is answered exactly once, rejections come fast, nothing else fails. The throughput ratios
 * of the acceptance criteria are printed for the record, not asserted: a shared 2-core test machine
 * cannot time them fairly.
 */
class OverloadEndToEndTest {
  private static final int CHANNELS = 12; // 100 calls per connection: 12 carry 1,024 at once

  @Test
  void shouldRejectFastAndAnswerEveryRequestOnceInOpenLoopOverload(@TempDir Path repository)
      throws Exception {
    Path model = repository.resolve("slow");
    Files.createDirectories(model.resolve("1").resolve("model.faulty"));
    Files.writeString(
        model.resolve("config.pbtxt"),
        FaultyBackend.config(
            "slow",
            "dynamic_batching { max_queue_delay_microseconds: 1000"
                + " default_queue_policy { max_queue_size: 32 } }"));
    FaultyBackend backend = new FaultyBackend();
    // One instance, batches of up to 8 single-row requests, 20 ms each: 400 requests/s.
    double capacity = 8 * 1000.0 / FaultyBackend.SLOW_RUN_MILLIS;
    double rate = 5 * capacity;
    long seconds = 4;
    int total = (int) (rate * seconds);
    try (TestServer server = TestServers.loopback(repository, List.of(backend))) {
      List<ManagedChannel> channels = channels(server, 4);
      try {
        ModelInferRequest request =
            ModelInferRequest.newBuilder()
                .setModelName("slow")
                .addInputs(input("INPUT0", "INT32", 1, 4))
                .addRawInputContents(int32s(1, 2, 3, 4))
                .build();
        GRPCInferenceServiceGrpc.newBlockingStub(channels.get(0))
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .modelInfer(request);
        long[] rejectedNanos = new long[total];
        long[] acceptedNanos = new long[total];
        AtomicInteger rejected = new AtomicInteger();
        AtomicInteger accepted = new AtomicInteger();
        Map<Status.Code, AtomicInteger> others = new ConcurrentHashMap<>();
        AtomicInteger duplicates = new AtomicInteger();
        CountDownLatch answered = new CountDownLatch(total);
        long interval = (long) (1e9 / rate);
        long start = System.nanoTime();
        for (int i = 0; i < total; i++) {
          long due = start + i * interval;
          long wait = due - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait);
          }
          long sent = System.nanoTime();
          AtomicInteger answers = new AtomicInteger();
          GRPCInferenceServiceGrpc.newStub(channels.get(i % channels.size()))
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .modelInfer(
                  request,
                  new StreamObserver<>() {
                    @Override
                    public void onNext(ModelInferResponse value) {}

                    @Override
                    public void onError(Throwable t) {
                      if (answers.incrementAndGet() > 1) {
                        duplicates.incrementAndGet();
                        return;
                      }
                      Status.Code code = Status.fromThrowable(t).getCode();
                      if (code == Status.Code.UNAVAILABLE) {
                        rejectedNanos[rejected.getAndIncrement()] = System.nanoTime() - sent;
                      } else {
                        others.computeIfAbsent(code, c -> new AtomicInteger()).incrementAndGet();
                      }
                      answered.countDown();
                    }

                    @Override
                    public void onCompleted() {
                      if (answers.incrementAndGet() > 1) {
                        duplicates.incrementAndGet();
                        return;
                      }
                      acceptedNanos[accepted.getAndIncrement()] = System.nanoTime() - sent;
                      answered.countDown();
                    }
                  });
        }
        long sendingNanos = System.nanoTime() - start;
        assertTrue(answered.await(30, TimeUnit.SECONDS), "every request answered");
        long elapsedNanos = System.nanoTime() - start;
        double rejectedP99 = p99Millis(rejectedNanos, rejected.get());
        double acceptedP99 = p99Millis(acceptedNanos, accepted.get());
        double goodput = accepted.get() / (elapsedNanos / 1e9);
        System.out.printf(
            "open loop: %d sent at %.0f/s (%.1f x capacity %.0f/s) in %.1f s; %d served, %d"
                + " rejected; rejection p99 %.2f ms; accepted p99 %.1f ms; goodput %.0f/s ="
                + " %.2f x capacity%n",
            total,
            total / (sendingNanos / 1e9),
            rate / capacity,
            capacity,
            sendingNanos / 1e9,
            accepted.get(),
            rejected.get(),
            rejectedP99,
            acceptedP99,
            goodput,
            goodput / capacity);
        assertEquals(0, duplicates.get(), "answered more than once");
        assertTrue(others.isEmpty(), "answers other than OK and UNAVAILABLE: " + others);
        assertEquals(total, accepted.get() + rejected.get());
        assertTrue(rejected.get() > total / 2, "most of 5x capacity is rejected");
        // Far from the 5 ms the issue asks of a dedicated machine: here the client shares the
        // server's 2 cores (and other builds'); the figure printed above is the measurement, and
        // what this bounds is that a rejection never waits for the queue to move.
        assertTrue(rejectedP99 < 250, "rejection p99 " + rejectedP99 + " ms");
        // 32 queued ahead are 4 batches of 20 ms, plus the running one and the queue delay.
        assertTrue(acceptedP99 < 1000, "accepted p99 " + acceptedP99 + " ms");
      } finally {
        channels.forEach(ManagedChannel::shutdownNow);
      }
    }
  }

  @Test
  void shouldAnswerEveryRequestAtConcurrency1024() throws Exception {
    TestServer server = TestServers.shared();
    List<ManagedChannel> channels = channels(server, CHANNELS);
    try {
      float[] x = new float[784];
      Arrays.fill(x, 0.5f);
      ModelInferRequest request =
          ModelInferRequest.newBuilder()
              .setModelName("mlp")
              .addInputs(input("INPUT0", "FP32", 1, 784))
              .addRawInputContents(floats(x))
              .build();
      double at64 = closedLoop(channels, request, 64, 1_024);
      double at1024 = closedLoop(channels, request, 1024, 4_096);
      System.out.printf(
          "closed loop on mlp: %.0f/s at concurrency 64, %.0f/s at 1,024 (%.2f x)%n",
          at64, at1024, at1024 / at64);
    } finally {
      channels.forEach(ManagedChannel::shutdownNow);
    }
  }

  /**
   * {@code concurrency} callers each send their next request when the last is answered, until
   * {@code total} are answered; asserts every one succeeded, returns requests per second.
   */
  private static double closedLoop(
      List<ManagedChannel> channels, ModelInferRequest request, int concurrency, int total)
      throws InterruptedException {
    AtomicInteger toSend = new AtomicInteger(total);
    AtomicInteger ok = new AtomicInteger();
    Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    CountDownLatch done = new CountDownLatch(total);
    AtomicLong ignored = new AtomicLong();
    long start = System.nanoTime();
    List<Runnable> callers = new ArrayList<>();
    for (int c = 0; c < concurrency; c++) {
      var stub = GRPCInferenceServiceGrpc.newStub(channels.get(c % channels.size()));
      Runnable[] next = new Runnable[1];
      next[0] =
          () -> {
            if (toSend.getAndDecrement() <= 0) {
              return;
            }
            stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                .modelInfer(
                    request,
                    new StreamObserver<>() {
                      @Override
                      public void onNext(ModelInferResponse value) {
                        ignored.addAndGet(value.getRawOutputContentsCount());
                      }

                      @Override
                      public void onError(Throwable t) {
                        failures
                            .computeIfAbsent(
                                Status.fromThrowable(t).getCode().toString(),
                                k -> new AtomicInteger())
                            .incrementAndGet();
                        done.countDown();
                        next[0].run();
                      }

                      @Override
                      public void onCompleted() {
                        ok.incrementAndGet();
                        done.countDown();
                        next[0].run();
                      }
                    });
          };
      callers.add(next[0]);
    }
    callers.forEach(Runnable::run);
    assertTrue(done.await(120, TimeUnit.SECONDS), "every request answered");
    double seconds = (System.nanoTime() - start) / 1e9;
    assertTrue(failures.isEmpty(), "failures at concurrency " + concurrency + ": " + failures);
    assertEquals(total, ok.get());
    return total / seconds;
  }

  private static List<ManagedChannel> channels(TestServer server, int count) {
    List<ManagedChannel> channels = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      channels.add(
          NettyChannelBuilder.forAddress(TestServer.HOST, server.port()).usePlaintext().build());
    }
    return channels;
  }

  private static double p99Millis(long[] nanos, int count) {
    if (count == 0) {
      return 0;
    }
    long[] sorted = Arrays.copyOf(nanos, count);
    Arrays.sort(sorted);
    return sorted[Math.min(count - 1, (int) Math.ceil(count * 0.99) - 1)] / 1e6;
  }
}
