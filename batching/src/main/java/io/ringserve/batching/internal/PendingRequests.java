package io.ringserve.batching.internal;

import io.ringserve.batching.BatchPolicy;
import io.ringserve.batching.InferenceRequest;
import io.ringserve.batching.QueuePolicy;

/**
 * Everything drained from the ring and not yet batched: one FIFO per priority level for requests in
 * time, then one FIFO per level for requests whose queue timeout passed under the {@code DELAY}
 * action.
 *
 * <p>The ring buffer is FIFO across levels; draining it into these per-level queues is what lets
 * level 1 be served before level 2 while the ring stays a plain bounded MPSC handoff. Service order
 * is the order of {@link #queues()}: every level's timely requests, highest level first, then every
 * level's delayed requests, highest level first.
 *
 * <p>Not thread-safe: owned by whoever holds the batching role ({@link BatchingRole}), a worker or
 * the batcher thread. Its own fields never change; the queues' state is guarded by the role.
 */
final class PendingRequests {
  private final PendingQueue[] queues;
  private final int levels;
  private final QueuePolicy[] policies;

  /** Queues for {@code policy}'s priority levels, each with room for two batches to begin with. */
  PendingRequests(BatchPolicy policy) {
    this.levels = policy.priorityLevels();
    if (levels < 1) {
      throw new IllegalArgumentException("priorityLevels must be >= 1, got " + levels);
    }
    int initialCapacity = Math.min(1024, Math.max(16, policy.maxBatchSize() * 2));
    this.queues = new PendingQueue[2 * levels];
    this.policies = new QueuePolicy[levels + 1];
    for (int i = 0; i < levels; i++) {
      queues[i] = new PendingQueue(i + 1, initialCapacity);
      queues[levels + i] = new PendingQueue(i + 1, 16);
      policies[i + 1] = policy.queuePolicy(i + 1);
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

  /** Queues {@code request} at the end of its level's timely queue. */
  void add(int level, InferenceRequest request, long sequence) {
    queues[level - 1].add(request, sequence, timeoutAt(level, request));
  }

  /**
   * When {@code request}'s queue timeout at {@code level} passes, on the clock of its arrival time
   * ({@code nanoTime}), or {@link PendingQueue#NO_TIMEOUT}: the level's {@code
   * default_timeout_microseconds}, or the request's own timeout where the level allows it to ask
   * for a shorter one.
   */
  long timeoutAt(int level, InferenceRequest request) {
    long timeoutMicros = policies[level].effectiveTimeoutMicros(request.timeoutMicros());
    return timeoutMicros == 0
        ? PendingQueue.NO_TIMEOUT
        : request.arrivalNanos() + Math.min(timeoutMicros, Long.MAX_VALUE / 2000) * 1000;
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
