package io.ringserve.batching.internal;

import io.ringserve.batching.BatchPolicy;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Counts the requests queued at each priority level against the level's {@code max_queue_size}. A
 * request counts from a successful {@link #tryAcquire} on the submitting thread until the holder of
 * the batching role takes it out of the queue (into a batch, or answered without running).
 *
 * <p>Thread-safe and lock-free. Levels without a limit cost nothing: the ring's capacity bounds
 * them instead.
 */
final class QueueLimits {
  // Counters sit 16 ints (64 bytes) apart so that busy levels do not share a cache line.
  private static final int STRIDE = 16;

  private final int[] limits;
  private final AtomicIntegerArray counts;

  QueueLimits(BatchPolicy policy) {
    int levels = policy.priorityLevels();
    this.limits = new int[levels + 1];
    for (int level = 1; level <= levels; level++) {
      limits[level] = policy.queuePolicy(level).maxQueueSize();
    }
    this.counts = new AtomicIntegerArray((levels + 1) * STRIDE);
  }

  /** True if any level is unbounded, so that the ring alone bounds it. */
  boolean anyUnbounded() {
    for (int level = 1; level < limits.length; level++) {
      if (limits[level] == 0) {
        return true;
      }
    }
    return false;
  }

  /** Sum of the levels' limits (meaningful when no level is unbounded). */
  long totalLimit() {
    long total = 0;
    for (int level = 1; level < limits.length; level++) {
      total += limits[level];
    }
    return total;
  }

  /** True if {@code level} has a limit and is at it now. */
  boolean isFull(int level) {
    int limit = limits[level];
    return limit != 0 && counts.get(level * STRIDE) >= limit;
  }

  /** Counts a request in, unless its level is full. */
  boolean tryAcquire(int level) {
    int limit = limits[level];
    if (limit == 0) {
      return true;
    }
    int index = level * STRIDE;
    while (true) {
      int count = counts.get(index);
      if (count >= limit) {
        return false;
      }
      if (counts.compareAndSet(index, count, count + 1)) {
        return true;
      }
    }
  }

  /** Counts a request out of its level. */
  void release(int level) {
    release(level, 1);
  }

  /** Counts {@code requests} out of their level with one atomic add. */
  void release(int level, int requests) {
    if (limits[level] != 0 && requests != 0) {
      counts.addAndGet(level * STRIDE, -requests);
    }
  }
}
