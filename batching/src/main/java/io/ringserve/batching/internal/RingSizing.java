package io.ringserve.batching.internal;

import io.ringserve.batching.BatchPolicy;

/**
 * Chooses the size of a scheduler's ring buffer.
 *
 * <p>When every priority level has a {@code max_queue_size}, the ring holds their sum rounded up to
 * a power of two, so the per-level limits, not the ring, decide when the queue is full. When some
 * level is unbounded, the ring holds {@value #UNBOUNDED_RING_SIZE} requests (512 KiB of slots and
 * references at most); a producer that finds it full gets QUEUE_FULL, as with any bound. The ring
 * is never smaller than {@code max_batch_size}, so that one full batch always fits.
 *
 * <p>Stateless and thread-safe.
 */
final class RingSizing {
  /** Ring slots of a model with an unbounded priority level. */
  static final int UNBOUNDED_RING_SIZE = 8192;

  private static final int MAX_RING_SIZE = 1 << 30;

  private RingSizing() {}

  static int ringSize(BatchPolicy policy, QueueLimits limits) {
    long wanted = limits.anyUnbounded() ? UNBOUNDED_RING_SIZE : limits.totalLimit();
    wanted = Math.max(wanted, Math.max(1, policy.maxBatchSize()));
    wanted = Math.min(wanted, MAX_RING_SIZE);
    return powerOfTwoAtLeast((int) wanted);
  }

  static int powerOfTwoAtLeast(int value) {
    return value <= 2 ? 2 : Integer.highestOneBit(value - 1) << 1;
  }
}
