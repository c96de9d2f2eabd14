package io.ringserve.batching.internal;

import static io.ringserve.batching.InferenceException.Reason.UNAVAILABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.lmax.disruptor.RingBuffer;
import io.ringserve.batching.BatchPolicy;
import io.ringserve.batching.InferenceCallback;
import io.ringserve.batching.InferenceException;
import io.ringserve.batching.InferenceRequest;
import io.ringserve.batching.Tensor;
import io.ringserve.batching.internal.BatchingRole.Step;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The batching role's decisions, driven from the test thread with no worker or batcher thread: what
 * a worker forms, what the batcher thread is told to do, and what shutdown answers. Wake-ups find
 * no one waiting and no thread recorded, so they do nothing.
 */
class BatchingRoleTest {
  private final Map<String, InferenceException.Reason> failed = new LinkedHashMap<>();
  private final WorkerState[] workers = {new WorkerState(), new WorkerState()};
  private RingBuffer<RequestSlot> ring;
  private BatchingRole role;

  private void start(BatchPolicy policy) {
    QueueLimits limits = new QueueLimits(policy);
    Completions completions =
        Completions.create(false, new StatisticsRecorder(Math.max(1, policy.maxBatchSize())));
    Wakeups wakeups = new Wakeups(workers, policy.maxQueueDelayMicros() == 0);
    ring = RingBuffer.createMultiProducer(RequestSlot::new, 64, wakeups);
    role = new BatchingRole(ring, policy, workers, wakeups, completions, limits);
  }

  private void publish(String... ids) {
    for (String id : ids) {
      InferenceRequest request =
          InferenceRequest.builder()
              .id(id)
              .inputs(List.of(QueuedRequests.int32(1, 2)))
              .callback(
                  new InferenceCallback() {
                    @Override
                    public void onSuccess(List<Tensor> outputs) {}

                    @Override
                    public void onFailure(InferenceException failure) {
                      failed.put(id, failure.reason());
                    }
                  })
              .build();
      long sequence = ring.next();
      RequestSlot slot = ring.get(sequence);
      slot.request = request;
      slot.level = 1;
      ring.publish(sequence);
    }
  }

  private static List<String> ids(ScheduledBatch batch) {
    List<String> ids = new ArrayList<>();
    for (InferenceRequest request : batch.requests) {
      ids.add(request.id());
    }
    return ids;
  }

  @Test
  void shouldFormAWorkersNextBatchAndMarkItRunning() {
    start(BatchPolicy.builder().maxBatchSize(4).dynamicBatching(true).build());
    publish("r0", "r1", "r2", "r3", "r4");

    ScheduledBatch batch = role.formFor(workers[0]);

    assertEquals(List.of("r0", "r1", "r2", "r3"), ids(batch));
    assertSame(batch, workers[0].running());
    assertEquals(List.of("r4"), ids(role.formFor(workers[0])));
  }

  @Test
  void shouldGiveAWorkerNothingWhileTheQueueIsEmpty() {
    start(BatchPolicy.builder().maxBatchSize(4).dynamicBatching(true).build());

    assertNull(role.formFor(workers[0]));
    assertTrue(workers[0].isIdle());
  }

  @Test
  void shouldHandABatchToAnIdleWorkerAndWaitUntilItIsTaken() {
    start(BatchPolicy.builder().maxBatchSize(4).dynamicBatching(true).build());
    publish("r0");

    assertEquals(Step.HANDED_OVER, role.step(false));
    assertFalse(role.handoffEmpty());
    assertEquals(Step.AWAIT_TAKE, role.step(false));

    ScheduledBatch taken = role.takeHandedOver(workers[1]);
    assertEquals(List.of("r0"), ids(taken));
    assertSame(taken, workers[1].running());
    assertNull(role.takeHandedOver(workers[0]));
    assertTrue(workers[0].isIdle());
  }

  @Test
  void shouldNotLetAWorkerFormPastABatchWaitingInTheHandoff() {
    start(BatchPolicy.builder().maxBatchSize(1).dynamicBatching(true).build());
    publish("r0");
    assertEquals(Step.HANDED_OVER, role.step(false));
    publish("r1");

    assertNull(role.formFor(workers[0])); // r0 runs before r1
    assertEquals(List.of("r0"), ids(role.takeHandedOver(workers[0])));
    assertEquals(List.of("r1"), ids(role.formFor(workers[0])));
  }

  @Test
  void shouldMarkAWorkerThatFindsNothingIdleBeforeTheNextHolderLooks() {
    // Publishes do not wake the batcher while every worker is busy, so a request that another
    // worker drains but leaves waiting must find this worker idle, and go to it through the
    // batcher.
    start(BatchPolicy.builder().maxBatchSize(1).dynamicBatching(true).build());
    ScheduledBatch finished = new ScheduledBatch(new InferenceRequest[0], new long[0], 0);
    workers[0].markRunning(finished);
    workers[1].markRunning(finished);

    assertNull(role.formFor(workers[1])); // it finished its batch and nothing is queued
    assertTrue(workers[1].isIdle());
    publish("r1", "r2");
    assertEquals(List.of("r1"), ids(role.formFor(workers[0]))); // r2 drained and left waiting

    assertFalse(role.hasPublished()); // the idle worker's look at the ring would not see r2
    assertEquals(Step.HANDED_OVER, role.step(false));
    assertEquals(List.of("r2"), ids(role.takeHandedOver(workers[1])));
  }

  @Test
  void shouldTellTheBatcherToWaitForAnIdleWorkerWhileAllAreBusy() {
    start(BatchPolicy.builder().maxBatchSize(4).dynamicBatching(true).build());
    publish("r0", "r1");
    workers[0].markRunning(new ScheduledBatch(new InferenceRequest[0], new long[0], 0));
    workers[1].markRunning(new ScheduledBatch(new InferenceRequest[0], new long[0], 0));

    assertEquals(Step.AWAIT_IDLE_WORKER, role.step(false));
    assertTrue(role.hasPublished()); // left in the ring for a worker that finishes
  }

  @Test
  void shouldTellTheBatcherToWaitForTheOldestRequestsDelay() {
    start(
        BatchPolicy.builder()
            .maxBatchSize(4)
            .dynamicBatching(true)
            .maxQueueDelayMicros(60_000_000L)
            .build());
    publish("r0");

    assertEquals(Step.AWAIT_WORK, role.step(false));
    assertTrue(role.waitUntilNanos() - System.nanoTime() > 0);
    assertTrue(role.canDrainMore());
    assertNull(role.formFor(workers[0])); // the delay holds it for workers too
  }

  @Test
  void shouldFlushWithoutTheDelayOnceStoppingAndExitWhenNothingIsLeft() {
    start(
        BatchPolicy.builder()
            .maxBatchSize(4)
            .dynamicBatching(true)
            .maxQueueDelayMicros(60_000_000L)
            .build());
    publish("r0");
    role.requestStop(System.nanoTime() + 60_000_000_000L);

    assertNull(role.formFor(workers[0])); // the batcher flushes during shutdown
    assertEquals(Step.HANDED_OVER, role.step(true));
    ScheduledBatch flushed = role.takeHandedOver(workers[0]);
    assertNotNull(flushed);
    workers[0].markRunning(null);
    assertEquals(Step.EXIT, role.step(true));
  }

  @Test
  void shouldAnswerWhateverIsLeftAtTerminationAndTellWorkersToExit() {
    start(BatchPolicy.builder().maxBatchSize(1).dynamicBatching(true).build());
    publish("running");
    assertEquals(List.of("running"), ids(role.formFor(workers[0])));
    publish("handedOver");
    assertEquals(Step.HANDED_OVER, role.step(false));
    publish("inRing");
    role.requestStop(System.nanoTime());

    role.terminate();

    assertTrue(role.isTerminated());
    assertEquals(
        Map.of("running", UNAVAILABLE, "handedOver", UNAVAILABLE, "inRing", UNAVAILABLE), failed);
    assertTrue(workers[0].exitRequested());
    assertTrue(workers[1].exitRequested());
  }
}
