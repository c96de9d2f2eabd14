package io.ringserve.batching.internal;

import io.ringserve.batching.InferenceRequest;

/**
 * The batcher's view of everything queued: one FIFO per priority level for requests in time, then
 * one FIFO per level for requests whose queue timeout passed under the {@code DELAY} action.
 *
 * <p>The ring buffer is FIFO across levels; draining it into these per-level queues is what lets
 * level 1 be served before level 2 while the ring stays a plain bounded MPSC handoff. Service order
 * is the order of {@link #queues()}: every level's timely requests, highest level first, then every
 * level's delayed requests, highest level first.
 *
 * <p>Not thread-safe: only the batcher thread touches it.
 */
final class PendingRequests {
  private final PendingQueue[] queues;
  private final int levels;

  PendingRequests(int levels, int initialCapacity) {
    if (levels < 1) {
      throw new IllegalArgumentException("levels must be >= 1, got " + levels);
    }
    this.levels = levels;
    this.queues = new PendingQueue[2 * levels];
    for (int i = 0; i < levels; i++) {
      queues[i] = new PendingQueue(i + 1, initialCapacity);
      queues[levels + i] = new PendingQueue(i + 1, 16);
    }
  }

  /** The queues in service order; callers must not replace entries. */
  PendingQueue[] queues() {
    return queues;
  }

  /** True if {@code queue} holds timely (not delayed) requests. */
  boolean isTimely(int queueIndex) {
    return queueIndex < levels;
  }

  void add(int level, InferenceRequest request, long sequence, long timeoutAt) {
    queues[level - 1].add(request, sequence, timeoutAt);
  }

  /**
   * Moves the request at {@code position} of a timely queue to the end of its level's delayed
   * queue.
   */
  void delay(int queueIndex, int position) {
    PendingQueue from = queues[queueIndex];
    InferenceRequest request = from.requestAt(position);
    long sequence = from.sequenceAt(position);
    from.remove(position);
    queues[levels + queueIndex].add(request, sequence, PendingQueue.NO_TIMEOUT);
  }

  /** Live requests in all queues. */
  int live() {
    int live = 0;
    for (PendingQueue queue : queues) {
      live += queue.live();
    }
    return live;
  }
}
