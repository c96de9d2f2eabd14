package io.ringserve.batching;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bound on the bytes of input tensors held by requests a scheduler has accepted and not yet
 * answered (queued or running), so that the queue is bounded by memory and not only by count: a few
 * thousand large requests fit a ring of slots but not the heap.
 *
 * <p>Budgets nest: a model's budget may have the server's as its parent, and a request is admitted
 * only if both have room. A request over the budget is refused at once by the scheduler ({@link
 * InferenceException.Reason#QUEUE_FULL}, with a message naming the limit and its value), never
 * queued.
 *
 * <p>Thread-safe and lock-free: one CAS per level per admission, one atomic add per level per
 * answer.
 */
public final class TensorBytesBudget {
  private final String limitName;
  private final long limitBytes;
  private final TensorBytesBudget parent;
  private final AtomicLong used = new AtomicLong();

  /**
   * @param limitName how the limit is set, for messages (a flag name)
   * @param limitBytes bytes that may be held at once; at least 1
   * @param parent a budget that must have room too, or null
   */
  public TensorBytesBudget(String limitName, long limitBytes, TensorBytesBudget parent) {
    if (limitBytes < 1) {
      throw new IllegalArgumentException(limitName + " must be >= 1, got " + limitBytes);
    }
    this.limitName = limitName;
    this.limitBytes = limitBytes;
    this.parent = parent;
  }

  /** Bytes held now. */
  public long usedBytes() {
    return used.get();
  }

  /** The limit. */
  public long limitBytes() {
    return limitBytes;
  }

  /**
   * Takes {@code bytes} from this budget and its parents, or nothing.
   *
   * @return null if taken, else why not, naming the limit that is full and its value
   */
  public String tryAcquire(long bytes) {
    while (true) {
      long now = used.get();
      if (bytes > limitBytes - now) {
        return "the queued input tensors would exceed " + limitBytes + " bytes (" + limitName + ")";
      }
      if (used.compareAndSet(now, now + bytes)) {
        break;
      }
    }
    if (parent != null) {
      String full = parent.tryAcquire(bytes);
      if (full != null) {
        used.addAndGet(-bytes);
        return full;
      }
    }
    return null;
  }

  /** Gives back what {@link #tryAcquire} took. */
  public void release(long bytes) {
    used.addAndGet(-bytes);
    if (parent != null) {
      parent.release(bytes);
    }
  }

  /** Bytes of a request's input tensors, as counted against budgets. */
  public static long bytesOf(InferenceRequest request) {
    long bytes = 0;
    List<Tensor> inputs = request.inputs();
    for (int i = 0; i < inputs.size(); i++) { // indexed: no iterator per request
      bytes += inputs.get(i).byteSize();
    }
    return bytes;
  }
}
