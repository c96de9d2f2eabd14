package io.ringserve.server;

/**
 * Bounds on the bytes of input tensors held by requests the server has accepted and not yet
 * answered (queued or running): across all models, and for each model version, so that a count of
 * queue slots cannot hide a heap's worth of large requests and one busy model cannot take the whole
 * budget. A request that does not fit is answered {@code UNAVAILABLE} at once, as a full queue is,
 * with a message naming the limit and its value.
 *
 * <p>Immutable and thread-safe.
 *
 * @param maxBytes bytes all models' accepted requests may hold ({@code --max-queued-input-bytes})
 * @param maxBytesPerModel bytes one model version's accepted requests may hold ({@code
 *     --max-queued-input-bytes-per-model})
 */
public record QueuedBytesLimits(long maxBytes, long maxBytesPerModel) {
  public QueuedBytesLimits {
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxQueuedInputBytes must be >= 1, got " + maxBytes);
    }
    if (maxBytesPerModel < 1) {
      throw new IllegalArgumentException(
          "maxQueuedInputBytesPerModel must be >= 1, got " + maxBytesPerModel);
    }
  }

  /**
   * A quarter of the maximum heap across models and an eighth per model (128 MiB and 64 MiB at
   * {@code -Xmx512m}): the rest is left for the copies a batch needs on its way to the engine and
   * for the answers.
   */
  public static QueuedBytesLimits defaults() {
    long heap = Runtime.getRuntime().maxMemory();
    return new QueuedBytesLimits(heap / 4, heap / 8);
  }
}
