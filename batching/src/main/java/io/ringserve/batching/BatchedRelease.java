package io.ringserve.batching;

/**
 * Gives the bytes of a batch's answered requests back to their {@link TensorBytesBudget} once per
 * batch instead of once per request, when the answers are given inside a batch ({@link
 * BatchAnswers}); outside one, at once.
 *
 * <p>Why: a budget's counter is shared with the network threads that admit requests, so every
 * release is an atomic add on a contended line (two with the server's budget above the model's); a
 * batch gives back the sum of its requests in one. The bytes come back when the batch's last
 * callback has returned, before the work that callbacks deferred after this (the gRPC front end's
 * writes of the answers), so a client that sends again on its answer finds its bytes given back.
 *
 * <p>Threading: one instance per thread, used only by it. Nothing allocated per request.
 */
final class BatchedRelease {
  private static final ThreadLocal<BatchedRelease> PER_THREAD =
      ThreadLocal.withInitial(BatchedRelease::new);

  /** The budget owed {@link #owedBytes}, or null when nothing is owed. */
  private TensorBytesBudget owedTo;

  private long owedBytes;
  private boolean giveBackDeferred;
  private final Runnable giveBackAtBatchEnd = this::giveBackAtBatchEnd;

  private BatchedRelease() {}

  /** Gives {@code bytes} back to {@code budget}: at the end of the batch being answered, or now. */
  static void release(TensorBytesBudget budget, long bytes) {
    PER_THREAD.get().owe(budget, bytes);
  }

  private void owe(TensorBytesBudget budget, long bytes) {
    if (owedTo != budget) {
      // A worker answers one model's batches; another budget in the same batch is rare.
      giveBack();
      owedTo = budget;
    }
    owedBytes += bytes;
    if (!giveBackDeferred) {
      giveBackDeferred = BatchAnswers.defer(giveBackAtBatchEnd);
      if (!giveBackDeferred) {
        giveBack();
      }
    }
  }

  private void giveBackAtBatchEnd() {
    giveBackDeferred = false;
    giveBack();
  }

  private void giveBack() {
    if (owedTo != null) {
      TensorBytesBudget budget = owedTo;
      long bytes = owedBytes;
      owedTo = null;
      owedBytes = 0;
      budget.release(bytes);
    }
  }
}
