package io.ringserve.batching.internal;

/**
 * How many rows a batch runs with, following {@link
 * io.ringserve.batching.BatchPolicy#padBatchesTo()}: a batch smaller than the padding size runs
 * padded up to it, every time, so that the engine only ever sees batches on one side of the size
 * where its kernels change. Stateless and thread-safe.
 */
final class RowPadding {
  private final int padTo;

  /**
   * @param padTo the padding size, 0 for no padding
   */
  RowPadding(int padTo) {
    this.padTo = padTo;
  }

  /** The rows a batch of {@code rows} real rows runs with. */
  long rowsToRun(long rows) {
    return Math.max(rows, padTo);
  }
}
