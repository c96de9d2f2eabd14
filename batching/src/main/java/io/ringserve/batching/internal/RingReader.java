package io.ringserve.batching.internal;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;

/**
 * The one consumer of a multi-producer ring buffer: reads published slots in sequence order, as
 * many as the caller asks for, and frees them for the producers.
 *
 * <p>Why not the Disruptor's {@code EventPoller}: before handing out the first event, it finds the
 * highest published sequence by checking every slot up to the ring's cursor. That is free when the
 * consumer takes everything, but batches are formed one batch's worth at a time from a backlog that
 * may be thousands of requests long, and each would pay for the whole backlog. This reader checks
 * only the slots it reads.
 *
 * <p>Not thread-safe: owned by whoever holds the batching role ({@link BatchingRole}); only {@link
 * #hasPublished} may be called by any thread.
 */
final class RingReader {
  /** Takes one slot's content; the slot is reused once {@link #read} returns. */
  @FunctionalInterface
  interface SlotConsumer {
    void accept(RequestSlot slot, long sequence);
  }

  private final RingBuffer<RequestSlot> ring;

  // Written only by the holder of the role as it reads; any thread may read it (hasPublished).
  private final Sequence consumed = new Sequence();

  RingReader(RingBuffer<RequestSlot> ring) {
    this.ring = ring;
    ring.addGatingSequences(consumed);
  }

  /** Reads up to {@code max} published slots, oldest first; returns how many it read. */
  int read(int max, SlotConsumer consumer) {
    long last = consumed.get();
    long next = last + 1;
    int read = 0;
    while (read < max && ring.isAvailable(next)) {
      consumer.accept(ring.get(next), next);
      last = next++;
      read++;
    }
    if (read > 0) {
      consumed.set(last); // producers may now reuse these slots
    }
    return read;
  }

  /** True if the next slot to read has been published; any thread may ask. */
  boolean hasPublished() {
    return ring.isAvailable(consumed.get() + 1);
  }

  /** True if every claimed slot has been read (none is published or about to be). */
  boolean caughtUp() {
    return ring.getCursor() == consumed.get();
  }
}
