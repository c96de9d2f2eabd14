package io.ringserve.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.batching.InferenceException.Reason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Many producers, random batch dimensions, two shape classes and an echo runner: every request must
 * get exactly its own rows, exactly once, and a failing batch must fail exactly its own requests.
 */
class SchedulerStressTest {
  private static final int PRODUCERS = 4;
  private static final int PER_PRODUCER = 50_000;
  private static final int TOTAL = PRODUCERS * PER_PRODUCER;

  /** Requests in flight per producer; keeps the queue below the ring's size. */
  private static final int WINDOW = 512;

  /** Echoes its input; throws for about {@code failurePercent}% of batches. */
  private static final class EchoRunner implements ModelRunner {
    final int failurePercent;
    final Set<Integer> thrownIds;
    final AtomicLong largestBatch;

    EchoRunner(int failurePercent, Set<Integer> thrownIds, AtomicLong largestBatch) {
      this.failurePercent = failurePercent;
      this.thrownIds = thrownIds;
      this.largestBatch = largestBatch;
    }

    @Override
    public List<Tensor> run(Batch batch) {
      largestBatch.accumulateAndGet(batch.requests().size(), Math::max);
      if (failurePercent > 0 && ThreadLocalRandom.current().nextInt(100) < failurePercent) {
        for (InferenceRequest request : batch.requests()) {
          thrownIds.add(Integer.parseInt(request.id()));
        }
        throw new IllegalStateException("injected failure");
      }
      return List.of(batch.input("IN").renamed("OUT"));
    }
  }

  private static final class Outcome {
    final AtomicIntegerArray answers = new AtomicIntegerArray(TOTAL);
    final Set<Integer> failedIds = ConcurrentHashMap.newKeySet();
    final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    final CountDownLatch done = new CountDownLatch(TOTAL);

    /** Per producer, the index of its request answered last; checks arrival-order answers. */
    final AtomicIntegerArray lastAnswered = new AtomicIntegerArray(PRODUCERS);

    final java.util.concurrent.atomic.AtomicBoolean outOfOrder =
        new java.util.concurrent.atomic.AtomicBoolean();
  }

  private Outcome run(ModelScheduler scheduler) throws Exception {
    Outcome outcome = new Outcome();
    List<Thread> producers = new ArrayList<>();
    for (int p = 0; p < PRODUCERS; p++) {
      int producer = p;
      Thread thread =
          new Thread(() -> produce(scheduler, producer, outcome), "stress-producer-" + p);
      producers.add(thread);
      thread.start();
    }
    assertTrue(outcome.done.await(60, TimeUnit.SECONDS), "not every request was answered");
    for (Thread producer : producers) {
      producer.join(TimeUnit.SECONDS.toMillis(10));
    }
    scheduler.shutdown(Duration.ofSeconds(10));
    assertEquals(
        List.of(), List.copyOf(outcome.problems).subList(0, Math.min(5, outcome.problems.size())));
    for (int id = 0; id < TOTAL; id++) {
      assertEquals(1, outcome.answers.get(id), "answers to request " + id);
    }
    return outcome;
  }

  private static void produce(ModelScheduler scheduler, int producer, Outcome outcome) {
    SplittableRandom random = new SplittableRandom(producer);
    Semaphore window = new Semaphore(WINDOW);
    for (int i = 0; i < PER_PRODUCER; i++) {
      int id = producer * PER_PRODUCER + i;
      int rows = 1 + random.nextInt(4);
      int cols = random.nextBoolean() ? 2 : 3;
      window.acquireUninterruptibly();
      InferenceCallback callback =
          new InferenceCallback() {
            @Override
            public void onSuccess(List<Tensor> outputs) {
              if (outputs.size() != 1 || !Tensors.isEncoded(outputs.get(0), id, rows, cols)) {
                outcome.problems.add("request " + id + " got " + outputs);
              }
              finish();
            }

            @Override
            public void onFailure(InferenceException failure) {
              if (failure.reason() != Reason.MODEL_ERROR
                  || !failure.getMessage().equals("injected failure")) {
                outcome.problems.add("request " + id + " failed: " + failure);
              }
              outcome.failedIds.add(id);
              finish();
            }

            private void finish() {
              if (outcome.lastAnswered.getAndSet(producer, id + 1) > id) {
                outcome.outOfOrder.set(true);
              }
              outcome.answers.incrementAndGet(id);
              window.release();
              outcome.done.countDown();
            }
          };
      scheduler.submit(
          InferenceRequest.builder()
              .id(Integer.toString(id))
              .inputs(List.of(Tensors.encoded("IN", id, rows, cols)))
              .callback(callback)
              .build());
    }
  }

  @Test
  void shouldGiveEveryRequestExactlyItsOwnRowsExactlyOnceUnderConcurrentLoad() throws Exception {
    AtomicLong largestBatch = new AtomicLong();
    EchoRunner runner = new EchoRunner(0, ConcurrentHashMap.newKeySet(), largestBatch);
    ModelScheduler scheduler =
        ModelSchedulers.start(
            "stress",
            BatchPolicy.builder()
                .maxBatchSize(16)
                .dynamicBatching(true)
                .preferredBatchSizes(4, 8)
                .maxQueueDelayMicros(100)
                .build(),
            List.of(runner, runner));

    Outcome outcome = run(scheduler);

    assertTrue(outcome.failedIds.isEmpty(), outcome.failedIds.size() + " requests failed");
    assertTrue(largestBatch.get() > 1, "requests were never batched together");
    ModelStatistics stats = scheduler.statistics();
    assertEquals(TOTAL, stats.success().count());
    assertTrue(stats.executionCount() < TOTAL, "requests were never batched together");
  }

  @Test
  void shouldAnswerInArrivalOrderAcrossInstancesWhenPreservingOrdering() throws Exception {
    AtomicLong largestBatch = new AtomicLong();
    EchoRunner runner = new EchoRunner(0, ConcurrentHashMap.newKeySet(), largestBatch);
    ModelScheduler scheduler =
        ModelSchedulers.start(
            "stress",
            BatchPolicy.builder()
                .maxBatchSize(8)
                .dynamicBatching(true)
                .preserveOrdering(true)
                .build(),
            List.of(runner, runner));

    Outcome outcome = run(scheduler);

    assertTrue(!outcome.outOfOrder.get(), "a producer's requests were answered out of order");
    assertTrue(outcome.failedIds.isEmpty());
  }

  @Test
  void shouldFailExactlyTheRequestsOfBatchesWhoseRunThrew() throws Exception {
    Set<Integer> thrownIds = ConcurrentHashMap.newKeySet();
    EchoRunner runner = new EchoRunner(1, thrownIds, new AtomicLong());
    ModelScheduler scheduler =
        ModelSchedulers.start(
            "stress",
            BatchPolicy.builder().maxBatchSize(16).dynamicBatching(true).build(),
            List.of(runner, runner));

    Outcome outcome = run(scheduler);

    assertTrue(!thrownIds.isEmpty(), "no batch failed; the test proves nothing");
    assertEquals(thrownIds, outcome.failedIds);
    assertEquals(thrownIds.size(), scheduler.statistics().fail().count());
  }
}
