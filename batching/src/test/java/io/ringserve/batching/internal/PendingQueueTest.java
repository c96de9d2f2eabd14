package io.ringserve.batching.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ringserve.batching.InferenceCallback;
import io.ringserve.batching.InferenceException;
import io.ringserve.batching.InferenceRequest;
import io.ringserve.batching.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The FIFO behind each priority level: order, tombstones, growth and recorded timeouts. */
class PendingQueueTest {
  private static final InferenceCallback IGNORED =
      new InferenceCallback() {
        @Override
        public void onSuccess(List<Tensor> outputs) {}

        @Override
        public void onFailure(InferenceException failure) {}
      };

  private static InferenceRequest request(String id) {
    return InferenceRequest.builder()
        .id(id)
        .arrivalNanos(1)
        .inputs(List.of(QueuedRequests.int32(1, 2)))
        .callback(IGNORED)
        .build();
  }

  /** Polls everything; the ids in order. */
  private static List<String> pollAll(PendingQueue queue, List<Long> sequences) {
    int live = queue.live();
    InferenceRequest[] requests = new InferenceRequest[live];
    long[] seqs = new long[live];
    assertEquals(live, queue.pollInto(requests, seqs, 0, live));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < live; i++) {
      ids.add(requests[i].id());
      sequences.add(seqs[i]);
    }
    return ids;
  }

  @Test
  void shouldPollInArrivalOrderWithEachRequestsSequence() {
    PendingQueue queue = new PendingQueue(1, 4);
    queue.add(request("a"), 10, PendingQueue.NO_TIMEOUT);
    queue.add(request("b"), 11, PendingQueue.NO_TIMEOUT);
    queue.add(request("c"), 12, PendingQueue.NO_TIMEOUT);

    List<Long> sequences = new ArrayList<>();
    assertEquals(List.of("a", "b", "c"), pollAll(queue, sequences));
    assertEquals(List.of(10L, 11L, 12L), sequences);
    assertEquals(0, queue.live());
    assertEquals(queue.head(), queue.tail());
  }

  @Test
  void shouldPollAtMostTheAskedNumberIntoTheGivenOffset() {
    PendingQueue queue = new PendingQueue(1, 4);
    queue.add(request("a"), 0, PendingQueue.NO_TIMEOUT);
    queue.add(request("b"), 1, PendingQueue.NO_TIMEOUT);
    queue.add(request("c"), 2, PendingQueue.NO_TIMEOUT);

    InferenceRequest[] into = new InferenceRequest[3];
    long[] seqInto = new long[3];
    assertEquals(2, queue.pollInto(into, seqInto, 1, 2));
    assertNull(into[0]);
    assertEquals("a", into[1].id());
    assertEquals("b", into[2].id());
    assertArrayEquals(new long[] {0, 0, 1}, seqInto);
    assertEquals(1, queue.live());
    assertEquals("c", queue.requestAt(queue.head()).id());
  }

  @Test
  void shouldSkipTheTombstonesOfRemovedRequests() {
    PendingQueue queue = new PendingQueue(1, 8);
    for (int i = 0; i < 5; i++) {
      queue.add(request("r" + i), i, PendingQueue.NO_TIMEOUT);
    }
    int head = queue.head();
    queue.remove(head + 2); // a tombstone in the middle stays until the head passes it
    assertEquals(head, queue.head());
    queue.remove(head); // at the head: the head moves past it
    assertEquals(head + 1, queue.head());
    assertNull(queue.requestAt(head + 2));
    assertEquals(3, queue.live());

    List<Long> sequences = new ArrayList<>();
    assertEquals(List.of("r1", "r3", "r4"), pollAll(queue, sequences));
    assertEquals(List.of(1L, 3L, 4L), sequences);
  }

  @Test
  void shouldKeepOrderSequencesAndTimeoutsWhenItGrowsAfterWrappingAround() {
    PendingQueue queue = new PendingQueue(1, 4);
    queue.add(request("old0"), 0, PendingQueue.NO_TIMEOUT);
    queue.add(request("old1"), 1, PendingQueue.NO_TIMEOUT);
    pollAll(queue, new ArrayList<>()); // the next adds wrap around the array's end
    for (int i = 0; i < 9; i++) {
      queue.add(request("r" + i), 100 + i, 1_000 + i);
    }

    for (int i = 0; i < 9; i++) {
      int position = queue.head() + i;
      assertEquals("r" + i, queue.requestAt(position).id());
      assertEquals(100 + i, queue.sequenceAt(position));
      assertEquals(1_000 + i, queue.timeoutAt(position));
    }
    assertEquals(9, queue.live());
    assertEquals(9, queue.tail() - queue.head());
  }

  @Test
  void shouldKeepItsLevel() {
    assertEquals(3, new PendingQueue(3, 16).level());
  }
}
