package io.ringserve.batching.internal;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The one-batch slot through which the batcher thread hands a batch to an idle worker: the batcher
 * puts a batch in when the slot is empty, and whichever idle worker looks first takes it.
 *
 * <p>Thread-safe and lock-free: the batcher is the only writer of a non-null value, workers race to
 * take it with a CAS.
 */
final class Handoff {
  private final AtomicReference<ScheduledBatch> slot = new AtomicReference<>();

  boolean isEmpty() {
    return slot.get() == null;
  }

  /** The batch in the slot, or {@code null}; it stays there. */
  ScheduledBatch peek() {
    return slot.get();
  }

  /** Puts a batch in; only the batcher calls this, and only while the slot is empty. */
  void put(ScheduledBatch batch) {
    slot.set(batch);
  }

  /** Takes {@code batch} out if it is still there; false if another worker took it first. */
  boolean take(ScheduledBatch batch) {
    return slot.compareAndSet(batch, null);
  }
}
