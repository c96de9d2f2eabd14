package io.ringserve.batching.internal;

import static io.ringserve.batching.internal.QueuedRequests.MICROS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.batching.BatchPolicy;
import io.ringserve.batching.InferenceException.Reason;
import io.ringserve.batching.InferenceRequest;
import io.ringserve.batching.QueuePolicy;
import io.ringserve.batching.QueuePolicy.TimeoutAction;
import io.ringserve.batching.Tensor;
import io.ringserve.wire.DataType;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Triton's dynamic-batching rules, one test per rule, on {@link BatchFormer} alone with a fake
 * clock: each test chooses the arrival times and the {@code now} of every {@code form}.
 */
class BatchFormerTest {
  private static final long T0 = 1_000_000 * MICROS; // any nanoTime value will do

  private static BatchPolicy.Builder dynamic(int maxBatchSize) {
    return BatchPolicy.builder().maxBatchSize(maxBatchSize).dynamicBatching(true);
  }

  @Test
  void shouldHoldABatchUntilTheOldestRequestsDelayEndsThenReleaseIt() {
    QueuedRequests queue = new QueuedRequests(dynamic(8).maxQueueDelayMicros(100).build());
    queue.add("r0", T0);
    queue.add("r1", T0 + 30 * MICROS);

    assertEquals(List.of(), queue.formAt(T0 + 50 * MICROS));
    assertEquals(T0 + 100 * MICROS, queue.former.waitUntilNanos());
    assertEquals(List.of(), queue.formAt(T0 + 100 * MICROS - 1));
    assertEquals(List.of("r0", "r1"), queue.formAt(T0 + 100 * MICROS));
    assertEquals(0, queue.pending.live());
  }

  @Test
  void shouldDispatchAtOnceWithoutAMaxQueueDelay() {
    QueuedRequests queue = new QueuedRequests(dynamic(8).build());
    queue.add("r0", T0);

    assertEquals(List.of("r0"), queue.formAt(T0));
  }

  @Test
  void shouldCloseABatchAtMaxBatchSizeCountingEachRequestsBatchDimension() {
    QueuedRequests queue = new QueuedRequests(dynamic(8).maxQueueDelayMicros(1_000).build());
    queue.add("r0", 3, T0, InferenceRequest.builder());
    queue.add("r1", 3, T0, InferenceRequest.builder());
    queue.add("r2", 3, T0, InferenceRequest.builder());

    // r2 would make 9 rows: the batch is closed, so it leaves at once despite the delay.
    int count = queue.former.form(T0, false);
    assertEquals(2, count);
    assertEquals(6, queue.former.take().size);
    // r2 stays queued and starts the next batch, which waits for its delay.
    assertEquals(List.of(), queue.formAt(T0 + 999 * MICROS));
    assertEquals(List.of("r2"), queue.formAt(T0 + 1_000 * MICROS));
  }

  @Test
  void shouldDispatchABatchThatReachedMaxBatchSizeAtOnce() {
    QueuedRequests queue = new QueuedRequests(dynamic(8).maxQueueDelayMicros(1_000).build());
    queue.add("r0", 4, T0, InferenceRequest.builder());
    queue.add("r1", 4, T0, InferenceRequest.builder());

    assertEquals(List.of("r0", "r1"), queue.formAt(T0));
  }

  @Test
  void shouldTakeTheLargestFormablePreferredBatchSizeAtOnce() {
    QueuedRequests queue =
        new QueuedRequests(dynamic(8).preferredBatchSizes(2, 4).maxQueueDelayMicros(1_000).build());
    for (int i = 0; i < 5; i++) {
      queue.add("r" + i, T0);
    }

    assertEquals(List.of("r0", "r1", "r2", "r3"), queue.formAt(T0));
  }

  @Test
  void shouldWaitForTheDelayWhenNoPreferredBatchSizeCanBeFormed() {
    QueuedRequests queue =
        new QueuedRequests(dynamic(8).preferredBatchSizes(2, 4).maxQueueDelayMicros(1_000).build());
    queue.add("r0", T0);

    assertEquals(List.of(), queue.formAt(T0 + 500 * MICROS));
    assertEquals(T0 + 1_000 * MICROS, queue.former.waitUntilNanos());
    assertEquals(List.of("r0"), queue.formAt(T0 + 1_000 * MICROS));
  }

  @Test
  void shouldTakeEverythingFormableOnceTheDelayEndedEvenPastAPreferredSize() {
    QueuedRequests queue =
        new QueuedRequests(dynamic(8).preferredBatchSizes(2).maxQueueDelayMicros(1_000).build());
    for (int i = 0; i < 3; i++) {
      queue.add("r" + i, T0);
    }

    assertEquals(List.of("r0", "r1", "r2"), queue.formAt(T0 + 1_000 * MICROS));
  }

  @Test
  void shouldDispatchAtTheLargestPreferredSizeWithoutWaiting() {
    QueuedRequests queue =
        new QueuedRequests(dynamic(8).preferredBatchSizes(2).maxQueueDelayMicros(1_000).build());
    queue.add("r0", 2, T0, InferenceRequest.builder());

    assertEquals(List.of("r0"), queue.formAt(T0));
  }

  @Test
  void shouldServeHigherPriorityLevelsFirstAndEachLevelInArrivalOrder() {
    QueuedRequests queue =
        new QueuedRequests(dynamic(3).priorityLevels(2).defaultPriorityLevel(2).build());
    queue.add("low0", 1, T0, InferenceRequest.builder().priorityLevel(2));
    queue.add("high0", 1, T0 + 1, InferenceRequest.builder().priorityLevel(1));
    queue.add("low1", 1, T0 + 2, InferenceRequest.builder());
    queue.add("high1", 1, T0 + 3, InferenceRequest.builder().priorityLevel(1));

    assertEquals(List.of("high0", "high1", "low0"), queue.formAt(T0 + 4));
    assertEquals(List.of("low1"), queue.formAt(T0 + 4));
  }

  @Test
  void shouldRejectARequestWhoseQueueTimeoutPassedUnderReject() {
    QueuePolicy reject = new QueuePolicy(2, 100, TimeoutAction.REJECT, false);
    QueuedRequests queue = new QueuedRequests(dynamic(8).defaultQueuePolicy(reject).build());
    queue.add("r0", T0);
    queue.add("r1", T0 + 50 * MICROS);

    assertEquals(List.of("r1"), queue.formAt(T0 + 100 * MICROS));
    assertEquals(Map.of("r0", Reason.TIMEOUT), queue.failed);
    // Both left the level's max_queue_size: one rejected, one taken.
    assertTrue(queue.limits.tryAcquire(1));
    assertTrue(queue.limits.tryAcquire(1));
  }

  @Test
  void shouldServeATimedOutRequestAfterEveryTimelyOneUnderDelay() {
    QueuePolicy delay = new QueuePolicy(0, 100, TimeoutAction.DELAY, false);
    QueuedRequests queue = new QueuedRequests(dynamic(1).defaultQueuePolicy(delay).build());
    queue.add("late", T0);
    queue.add("timely", T0 + 60 * MICROS);

    long now = T0 + 120 * MICROS;
    assertEquals(List.of("timely"), queue.formAt(now));
    assertEquals(List.of("late"), queue.formAt(now));
    assertEquals(Map.of(), queue.failed);
  }

  @Test
  void shouldApplyTheLevelsDefaultTimeoutToARequestThatAsksForNone() {
    QueuePolicy reject = new QueuePolicy(0, 100, TimeoutAction.REJECT, true);
    QueuedRequests queue = new QueuedRequests(dynamic(8).defaultQueuePolicy(reject).build());
    queue.add("r0", T0);

    assertEquals(List.of(), queue.formAt(T0 + 100 * MICROS));
    assertEquals(Map.of("r0", Reason.TIMEOUT), queue.failed);
  }

  @Test
  void shouldLetARequestShortenTheDefaultTimeoutOnlyWhereTheLevelAllowsIt() {
    QueuePolicy allows = new QueuePolicy(0, 100, TimeoutAction.REJECT, true);
    QueuedRequests queue = new QueuedRequests(dynamic(8).defaultQueuePolicy(allows).build());
    queue.add("shorter", 1, T0, InferenceRequest.builder().timeoutMicros(10));
    queue.add("longer", 1, T0, InferenceRequest.builder().timeoutMicros(500));

    assertEquals(List.of("longer"), queue.formAt(T0 + 10 * MICROS));
    assertEquals(Map.of("shorter", Reason.TIMEOUT), queue.failed);
    queue.add("longer2", 1, T0, InferenceRequest.builder().timeoutMicros(500));
    assertEquals(List.of(), queue.formAt(T0 + 100 * MICROS)); // capped at the default
    assertEquals(Reason.TIMEOUT, queue.failed.get("longer2"));

    QueuePolicy forbids = new QueuePolicy(0, 100, TimeoutAction.REJECT, false);
    QueuedRequests strict = new QueuedRequests(dynamic(8).defaultQueuePolicy(forbids).build());
    strict.add("asks", 1, T0, InferenceRequest.builder().timeoutMicros(10));
    assertEquals(List.of("asks"), strict.formAt(T0 + 10 * MICROS));
  }

  @Test
  void shouldUseTheRequestsOwnTimeoutWhereTheLevelHasNone() {
    QueuePolicy none = new QueuePolicy(0, 0, TimeoutAction.REJECT, true);
    QueuedRequests queue = new QueuedRequests(dynamic(8).defaultQueuePolicy(none).build());
    queue.add("timed", 1, T0, InferenceRequest.builder().timeoutMicros(10));
    queue.add("untimed", 1, T0, InferenceRequest.builder());

    assertEquals(List.of("untimed"), queue.formAt(T0 + 10 * MICROS));
    assertEquals(Map.of("timed", Reason.TIMEOUT), queue.failed);
  }

  @Test
  void shouldNeverMixShapesAndCloseTheBatchAtTheFirstMismatch() {
    QueuedRequests queue = new QueuedRequests(dynamic(8).build());
    int[] cols = {2, 2, 3, 2};
    for (int i = 0; i < cols.length; i++) {
      queue.add(
          InferenceRequest.builder()
              .id("r" + i)
              .arrivalNanos(T0)
              .inputs(List.of(QueuedRequests.int32(1, cols[i]))));
    }

    assertEquals(List.of("r0", "r1"), queue.formAt(T0));
    assertEquals(List.of("r2"), queue.formAt(T0));
    assertEquals(List.of("r3"), queue.formAt(T0));
  }

  @Test
  void shouldNeverMixDatatypes() {
    QueuedRequests queue = new QueuedRequests(dynamic(8).build());
    queue.add("ints", T0);
    Tensor floats = Tensor.of("IN", DataType.FP32, new long[] {1, 2}, ByteBuffer.allocate(8));
    queue.add(InferenceRequest.builder().id("floats").arrivalNanos(T0).inputs(List.of(floats)));

    assertEquals(List.of("ints"), queue.formAt(T0));
    assertEquals(List.of("floats"), queue.formAt(T0));
  }

  @Test
  void shouldAnswerCancelledAndExpiredRequestsInsteadOfBatchingThem() {
    QueuedRequests queue = new QueuedRequests(dynamic(8).build());
    queue.add("cancelled", 1, T0, InferenceRequest.builder().cancelled(() -> true));
    queue.add("expired", 1, T0, InferenceRequest.builder().deadlineNanos(T0 + 5 * MICROS));
    queue.add("wanted", 1, T0, InferenceRequest.builder().deadlineNanos(T0 + 50 * MICROS));

    assertEquals(List.of("wanted"), queue.formAt(T0 + 5 * MICROS));
    assertEquals(
        Map.of("cancelled", Reason.CANCELLED, "expired", Reason.DEADLINE_EXCEEDED), queue.failed);
  }

  @Test
  void shouldDispatchWithoutWaitingForTheDelayWhenFlushing() {
    QueuedRequests queue = new QueuedRequests(dynamic(8).maxQueueDelayMicros(1_000).build());
    queue.add("r0", T0);

    assertEquals(List.of("r0"), queue.formAt(T0, true));
  }

  @Test
  void shouldFormOneRequestPerBatchWithoutDynamicBatching() {
    QueuedRequests queue = new QueuedRequests(BatchPolicy.builder().maxBatchSize(8).build());
    queue.add("r0", T0);
    queue.add("r1", T0);

    assertEquals(List.of("r0"), queue.formAt(T0));
    assertEquals(List.of("r1"), queue.formAt(T0));
  }

  @Test
  void shouldSayWhetherTheLastFormSawEveryQueuedRequest() {
    QueuedRequests queue = new QueuedRequests(dynamic(2).maxQueueDelayMicros(1_000).build());
    queue.add("r0", T0);
    queue.former.form(T0, false);
    assertTrue(queue.former.couldTakeMore());

    queue.add("r1", T0);
    queue.add("r2", T0);
    queue.former.form(T0, false);
    assertEquals(false, queue.former.couldTakeMore());
  }
}
