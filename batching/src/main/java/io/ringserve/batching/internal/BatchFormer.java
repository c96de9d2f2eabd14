package io.ringserve.batching.internal;

import io.ringserve.batching.BatchPolicy;
import io.ringserve.batching.InferenceException;
import io.ringserve.batching.InferenceException.Reason;
import io.ringserve.batching.InferenceRequest;
import io.ringserve.batching.QueuePolicy.TimeoutAction;
import java.util.Arrays;

/**
 * Decides the next batch from the queued requests, following Triton's dynamic batcher ({@code
 * DynamicBatchScheduler::GetDynamicBatch}):
 *
 * <ol>
 *   <li>Requests are examined in service order (see {@link PendingRequests}). A cancelled request,
 *       or one whose deadline or queue timeout (REJECT) passed, is answered and skipped; one whose
 *       queue timeout passed under DELAY moves behind every timely request.
 *   <li>Each request adds its own batch dimension. The first request that would push the batch past
 *       {@code max_batch_size}, or whose inputs differ from the first request's (names, datatypes,
 *       non-batch shape), closes the batch; it stays queued and starts the next one.
 *   <li>If a preferred batch size was reached and the oldest request has not waited past the max
 *       queue delay, the largest such size is dispatched.
 *   <li>Otherwise the batch is dispatched when it was closed, when it reached the largest preferred
 *       size (or max size), when the delay is 0, or when the oldest request waited the whole delay;
 *       else the batch waits until the oldest request's delay ends or more arrive.
 * </ol>
 *
 * <p>Models that do not batch dynamically get one request per batch.
 *
 * <p>Not thread-safe: owned by whoever holds the batching role ({@link BatchingRole}), a worker or
 * the batcher thread. Pure logic on the clock it is given: {@code now} is a parameter, so the rules
 * are tested with a fake one. Cost: one pass over the queued requests up to the point that closes
 * the batch (at most about {@code max_batch_size} live requests), no allocation until a batch is
 * taken.
 */
final class BatchFormer {
  private static final String TIMEOUT_MESSAGE = "Request timeout expired";
  private static final String CANCELLED_MESSAGE = "Request was cancelled";
  private static final String DEADLINE_MESSAGE = "the request's deadline passed before it ran";

  private final PendingRequests pending;
  private final Completions completions;
  private final QueueLimits limits;
  private final boolean batchesRequests;
  private final boolean dynamic;
  private final long maxBatchSize;
  // Sorted: looked up per request scanned, without an array as long as the largest batch.
  private final long[] preferred;
  private final long maxPreferred;
  private final long delayNanos;
  private final boolean[] delayOnTimeout;

  // What the last form found; take and the holder's next decisions read it.
  @GuardedBy("BatchingRole.held")
  private int formedCount;

  @GuardedBy("BatchingRole.held")
  private long formedSize;

  @GuardedBy("BatchingRole.held")
  private boolean sawAll;

  @GuardedBy("BatchingRole.held")
  private long waitUntilNanos = Long.MAX_VALUE;

  BatchFormer(
      BatchPolicy policy, PendingRequests pending, Completions completions, QueueLimits limits) {
    this.pending = pending;
    this.completions = completions;
    this.limits = limits;
    this.batchesRequests = policy.batchesRequests();
    this.dynamic = policy.dynamicBatching();
    this.maxBatchSize = policy.batchesRequests() ? policy.maxBatchSize() : 1;
    this.preferred = Arrays.stream(policy.preferredBatchSizes()).asLongStream().sorted().toArray();
    this.maxPreferred = preferred.length > 0 ? preferred[preferred.length - 1] : maxBatchSize;
    this.delayNanos = Math.multiplyExact(policy.maxQueueDelayMicros(), 1000L);
    this.delayOnTimeout = new boolean[policy.priorityLevels() + 1];
    for (int level = 1; level <= policy.priorityLevels(); level++) {
      delayOnTimeout[level] = policy.queuePolicy(level).timeoutAction() == TimeoutAction.DELAY;
    }
  }

  /**
   * Looks for a batch to dispatch now.
   *
   * @param flush dispatch whatever is queued without waiting for the delay (shutdown)
   * @return the number of requests to {@link #take}, or 0 if none should be dispatched yet; then
   *     {@link #waitUntilNanos()} says until when to wait at most
   */
  int form(long now, boolean flush) {
    waitUntilNanos = Long.MAX_VALUE;
    sawAll = false;
    InferenceRequest first = null;
    int count = 0;
    long size = 0;
    int bestCount = 0;
    long bestSize = 0;
    long oldest = 0;
    boolean sendNow = false;
    PendingQueue[] queues = pending.queues();
    scan:
    for (int q = 0; q < queues.length; q++) {
      PendingQueue queue = queues[q];
      for (int position = queue.head(); position != queue.tail(); position++) {
        InferenceRequest request = queue.requestAt(position);
        if (request == null || !stillWanted(q, queue, position, request, now)) {
          continue;
        }
        long rows = batchesRequests ? request.batchSize() : 1;
        if (first == null) {
          first = request;
          oldest = request.arrivalNanos();
        } else if (!BatchCompatibility.compatible(first, request) || size + rows > maxBatchSize) {
          sendNow = true;
          break scan;
        }
        size += rows;
        count++;
        if (request.arrivalNanos() - oldest < 0) {
          oldest = request.arrivalNanos();
        }
        if (preferred.length > 0 && Arrays.binarySearch(preferred, size) >= 0) {
          bestCount = count;
          bestSize = size;
        }
        if (!dynamic || size >= maxBatchSize) {
          sendNow = true;
          break scan;
        }
      }
    }
    sawAll = !sendNow;
    if (count == 0) {
      return 0;
    }
    boolean delayExceeded = delayNanos != 0 && now - oldest >= delayNanos;
    if (bestCount != 0 && !delayExceeded) {
      return formed(bestCount, bestSize);
    }
    if (sendNow || flush || size >= maxPreferred || delayNanos == 0 || delayExceeded) {
      return formed(count, size);
    }
    waitUntilNanos = oldest + delayNanos;
    return 0;
  }

  /**
   * True if the last {@link #form} looked at every queued request without closing the batch: more
   * requests, if there are any, could still join it.
   */
  boolean couldTakeMore() {
    return sawAll;
  }

  /** The most requests one batch can hold: each has a batch dimension of at least 1. */
  int maxRequestsPerBatch() {
    return (int) maxBatchSize;
  }

  /** Until when to wait at most after {@link #form} returned 0: the oldest request's delay. */
  long waitUntilNanos() {
    return waitUntilNanos;
  }

  /** Removes the formed batch's requests from the queues. */
  ScheduledBatch take() {
    InferenceRequest[] requests = new InferenceRequest[formedCount];
    long[] sequences = new long[formedCount];
    int taken = 0;
    for (PendingQueue queue : pending.queues()) {
      if (taken == formedCount) {
        break;
      }
      int fromQueue = queue.pollInto(requests, sequences, taken, formedCount - taken);
      limits.release(queue.level(), fromQueue);
      taken += fromQueue;
    }
    if (taken != formedCount) {
      throw new IllegalStateException("formed " + formedCount + " requests but found " + taken);
    }
    return new ScheduledBatch(requests, sequences, formedSize);
  }

  private int formed(int count, long size) {
    formedCount = count;
    formedSize = size;
    return count;
  }

  /** Answers a request that must not run and removes it; true if it may still run. */
  private boolean stillWanted(
      int queueIndex, PendingQueue queue, int position, InferenceRequest request, long now) {
    InferenceException givenUp = giveUpReason(request, now);
    if (givenUp != null) {
      InferenceRequest dropped = queue.requestAt(position);
      long sequence = queue.sequenceAt(position);
      drop(queue, position);
      completions.fail(sequence, dropped, givenUp);
      return false;
    }
    long timeoutAt = queue.timeoutAt(position);
    if (timeoutAt != PendingQueue.NO_TIMEOUT && now - timeoutAt >= 0) {
      if (delayOnTimeout[queue.level()] && pending.isTimely(queueIndex)) {
        pending.delay(queueIndex, position);
        return false;
      }
      if (!delayOnTimeout[queue.level()]) {
        reject(queue, position, Reason.TIMEOUT, TIMEOUT_MESSAGE);
        return false;
      }
    }
    return true;
  }

  /**
   * Why the caller no longer wants {@code request}: cancelled, or past its deadline; {@code null}
   * if it still does.
   */
  static InferenceException giveUpReason(InferenceRequest request, long now) {
    if (request.isCancelled()) {
      return new InferenceException(Reason.CANCELLED, CANCELLED_MESSAGE);
    }
    long deadline = request.deadlineNanos();
    if (deadline != InferenceRequest.NO_DEADLINE && now - deadline >= 0) {
      return new InferenceException(Reason.DEADLINE_EXCEEDED, DEADLINE_MESSAGE);
    }
    return null;
  }

  private void reject(PendingQueue queue, int position, Reason reason, String message) {
    InferenceRequest request = queue.requestAt(position);
    long sequence = queue.sequenceAt(position);
    drop(queue, position);
    completions.fail(sequence, request, new InferenceException(reason, message));
  }

  private void drop(PendingQueue queue, int position) {
    queue.remove(position);
    limits.release(queue.level());
  }
}
