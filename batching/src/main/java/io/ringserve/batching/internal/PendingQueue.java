package io.ringserve.batching.internal;

import io.ringserve.batching.InferenceRequest;

/**
 * A growable FIFO of queued requests: the requests of one priority level (or its delayed requests)
 * after they left the ring buffer.
 *
 * <p>Parallel arrays instead of one holder object per request keep the hot path free of allocation.
 * A request answered while in the middle of the queue (cancelled, timed out) leaves a {@code null}
 * tombstone, so removal is O(1); tombstones are skipped when the head passes them.
 *
 * <p>Not thread-safe: owned by whoever holds the batching role ({@link BatchingRole}), a worker or
 * the batcher thread; the role's flag orders one holder's accesses before the next one's.
 */
final class PendingQueue {
  /** {@link #timeoutAt} of a request without a queue timeout. */
  static final long NO_TIMEOUT = Long.MIN_VALUE;

  private final int level;

  @GuardedBy("BatchingRole.held")
  private InferenceRequest[] requests;

  @GuardedBy("BatchingRole.held")
  private long[] sequences;

  @GuardedBy("BatchingRole.held")
  private long[] timeouts;

  @GuardedBy("BatchingRole.held")
  private int mask;

  @GuardedBy("BatchingRole.held")
  private int head;

  @GuardedBy("BatchingRole.held")
  private int tail;

  @GuardedBy("BatchingRole.held")
  private int live;

  PendingQueue(int level, int initialCapacity) {
    int capacity = Integer.highestOneBit(Math.max(2, initialCapacity - 1) << 1);
    this.level = level;
    this.requests = new InferenceRequest[capacity];
    this.sequences = new long[capacity];
    this.timeouts = new long[capacity];
    this.mask = capacity - 1;
  }

  /** The priority level of the requests in this queue. */
  int level() {
    return level;
  }

  /** Live (not tombstoned) requests. */
  int live() {
    return live;
  }

  /**
   * Position of the oldest entry; positions run from {@code head()} up to, not including, {@code
   * tail()}.
   */
  int head() {
    return head;
  }

  int tail() {
    return tail;
  }

  InferenceRequest requestAt(int position) {
    return requests[position & mask];
  }

  long sequenceAt(int position) {
    return sequences[position & mask];
  }

  /** When the request's queue timeout passes on the nanoTime clock, or {@link #NO_TIMEOUT}. */
  long timeoutAt(int position) {
    return timeouts[position & mask];
  }

  void add(InferenceRequest request, long sequence, long timeoutAt) {
    if (tail - head == requests.length) {
      grow();
    }
    int index = tail & mask;
    requests[index] = request;
    sequences[index] = sequence;
    timeouts[index] = timeoutAt;
    tail++;
    live++;
  }

  /** Leaves a tombstone at {@code position}; the request is no longer in the queue. */
  void remove(int position) {
    requests[position & mask] = null;
    live--;
    skipTombstones();
  }

  /**
   * Removes up to {@code max} of the oldest live requests, in order, copying them to {@code into}
   * and {@code seqInto} from index {@code at}.
   *
   * @return how many were removed
   */
  int pollInto(InferenceRequest[] into, long[] seqInto, int at, int max) {
    int taken = 0;
    while (taken < max && head != tail) {
      int index = head & mask;
      InferenceRequest request = requests[index];
      head++;
      if (request != null) { // else a tombstone
        into[at + taken] = request;
        seqInto[at + taken] = sequences[index];
        requests[index] = null;
        taken++;
      }
    }
    live -= taken;
    skipTombstones();
    return taken;
  }

  private void skipTombstones() {
    while (head != tail && requests[head & mask] == null) {
      head++;
    }
  }

  private void grow() {
    int size = tail - head;
    int capacity = requests.length << 1;
    InferenceRequest[] newRequests = new InferenceRequest[capacity];
    long[] newSequences = new long[capacity];
    long[] newTimeouts = new long[capacity];
    for (int i = 0; i < size; i++) {
      int index = (head + i) & mask;
      newRequests[i] = requests[index];
      newSequences[i] = sequences[index];
      newTimeouts[i] = timeouts[index];
    }
    requests = newRequests;
    sequences = newSequences;
    timeouts = newTimeouts;
    mask = capacity - 1;
    head = 0;
    tail = size;
  }
}
