package io.ringserve.batching.internal;

import static io.ringserve.batching.internal.QueuedRequests.MICROS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.batching.BatchPolicy;
import io.ringserve.batching.InferenceCallback;
import io.ringserve.batching.InferenceException;
import io.ringserve.batching.InferenceRequest;
import io.ringserve.batching.QueuePolicy;
import io.ringserve.batching.QueuePolicy.TimeoutAction;
import io.ringserve.batching.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Service order across priority levels, the DELAY move, and when each queue timeout passes. */
class PendingRequestsTest {
  private static final long T0 = 5_000 * MICROS;

  private static List<String> idsInServiceOrder(PendingRequests pending) {
    List<String> ids = new ArrayList<>();
    for (PendingQueue queue : pending.queues()) {
      for (int position = queue.head(); position != queue.tail(); position++) {
        InferenceRequest request = queue.requestAt(position);
        if (request != null) {
          ids.add(request.id());
        }
      }
    }
    return ids;
  }

  @Test
  void shouldOrderTimelyLevelsHighestFirstThenDelayedLevelsHighestFirst() {
    QueuedRequests queued =
        new QueuedRequests(BatchPolicy.builder().maxBatchSize(8).priorityLevels(2).build());
    PendingRequests pending = queued.pending;
    queued.add("l2-a", 1, T0, InferenceRequest.builder().priorityLevel(2));
    queued.add("l1-a", 1, T0, InferenceRequest.builder().priorityLevel(1));
    queued.add("l2-b", 1, T0, InferenceRequest.builder().priorityLevel(2));
    queued.add("l1-b", 1, T0, InferenceRequest.builder().priorityLevel(1));

    PendingQueue level2 = pending.queues()[1];
    pending.delay(1, level2.head()); // l2-a
    PendingQueue level1 = pending.queues()[0];
    pending.delay(0, level1.head() + 1); // l1-b

    assertEquals(List.of("l1-a", "l2-b", "l1-b", "l2-a"), idsInServiceOrder(pending));
    assertEquals(4, pending.live());
    assertTrue(pending.isTimely(1));
    assertFalse(pending.isTimely(2));
  }

  @Test
  void shouldDropTheTimeoutOfADelayedRequest() {
    QueuePolicy delay = new QueuePolicy(0, 100, TimeoutAction.DELAY, false);
    QueuedRequests queued =
        new QueuedRequests(BatchPolicy.builder().maxBatchSize(8).defaultQueuePolicy(delay).build());
    queued.add("r0", T0);
    PendingQueue timely = queued.pending.queues()[0];
    assertEquals(T0 + 100 * MICROS, timely.timeoutAt(timely.head()));

    queued.pending.delay(0, timely.head());

    PendingQueue delayed = queued.pending.queues()[1];
    assertEquals(PendingQueue.NO_TIMEOUT, delayed.timeoutAt(delayed.head()));
  }

  @Test
  void shouldComputeEachLevelsTimeoutFromArrival() {
    BatchPolicy policy =
        BatchPolicy.builder()
            .maxBatchSize(8)
            .priorityLevels(3)
            .priorityQueuePolicy(1, new QueuePolicy(0, 100, TimeoutAction.REJECT, true))
            .priorityQueuePolicy(2, new QueuePolicy(0, 100, TimeoutAction.REJECT, false))
            .build();
    PendingRequests pending = new PendingRequests(policy);
    InferenceRequest none = request(0);
    InferenceRequest shorter = request(10);
    InferenceRequest longer = request(500);

    assertEquals(T0 + 100 * MICROS, pending.timeoutAt(1, none)); // default_timeout_microseconds
    assertEquals(T0 + 10 * MICROS, pending.timeoutAt(1, shorter)); // override allowed
    assertEquals(T0 + 100 * MICROS, pending.timeoutAt(1, longer)); // only shorter
    assertEquals(T0 + 100 * MICROS, pending.timeoutAt(2, shorter)); // override not allowed
    assertEquals(PendingQueue.NO_TIMEOUT, pending.timeoutAt(3, none)); // no timeout at all
  }

  @Test
  void shouldNotOverflowOnAHugeTimeout() {
    PendingRequests pending =
        new PendingRequests(
            BatchPolicy.builder()
                .defaultQueuePolicy(new QueuePolicy(0, Long.MAX_VALUE, TimeoutAction.REJECT, false))
                .build());

    assertTrue(pending.timeoutAt(1, request(0)) - T0 > 0);
  }

  private static InferenceRequest request(long timeoutMicros) {
    return InferenceRequest.builder()
        .arrivalNanos(T0)
        .timeoutMicros(timeoutMicros)
        .inputs(List.of(QueuedRequests.int32(1, 2)))
        .callback(
            new InferenceCallback() {
              @Override
              public void onSuccess(List<Tensor> outputs) {}

              @Override
              public void onFailure(InferenceException failure) {}
            })
        .build();
  }
}
