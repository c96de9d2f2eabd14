package io.ringserve.batching.internal;

import io.ringserve.batching.ModelStatistics;
import io.ringserve.batching.ModelStatistics.BatchStatistics;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Accumulates one model version's statistics with the meaning of Triton's {@code ModelStatistics}.
 *
 * <p>Thread-safe. Workers record once per batch (sums over the batch's requests), so the cost is a
 * handful of uncontended adds per execution, not per request; failures are recorded one by one
 * where they happen.
 */
final class StatisticsRecorder {
  private final DurationCounter success = new DurationCounter();
  private final DurationCounter fail = new DurationCounter();
  private final DurationCounter queue = new DurationCounter();
  private final DurationCounter computeInput = new DurationCounter();
  private final DurationCounter computeInfer = new DurationCounter();
  private final DurationCounter computeOutput = new DurationCounter();
  private final LongAdder inferenceCount = new LongAdder();
  private final LongAdder executionCount = new LongAdder();
  private final LongAdder answered = new LongAdder();
  private final AtomicReferenceArray<BatchSizeCounters> bySize;
  private volatile long lastInferenceMillis;

  /**
   * @param maxBatchSize the largest batch size that will be recorded
   */
  StatisticsRecorder(int maxBatchSize) {
    this.bySize = new AtomicReferenceArray<>(Math.max(1, maxBatchSize) + 1);
  }

  /** A request that got an answer from the scheduler (counted for pending requests). */
  void answered(long requests) {
    answered.add(requests);
  }

  long answeredCount() {
    return answered.sum();
  }

  void failed(long requests, long totalNanos) {
    fail.add(requests, totalNanos);
  }

  /**
   * Counts one successful execution of {@code batchSize} rows. Called before the batch's requests
   * are answered, so that a caller who reads the statistics after its answer finds its inference
   * counted (a load generator's before/after difference depends on it); the durations follow in
   * {@link #executed}.
   */
  void ran(long batchSize) {
    inferenceCount.add(batchSize);
    executionCount.increment();
    lastInferenceMillis = System.currentTimeMillis();
  }

  /**
   * Records the durations of one successful execution counted by {@link #ran}.
   *
   * @param requests requests of the batch that were answered with success
   * @param requestNanos their summed arrival-to-answer time
   * @param queueNanos their summed arrival-to-compute-start time
   */
  void executed(
      long batchSize,
      long requests,
      long requestNanos,
      long queueNanos,
      long inputNanos,
      long inferNanos,
      long outputNanos) {
    success.add(requests, requestNanos);
    queue.add(requests, queueNanos);
    computeInput.add(requests, requests * inputNanos);
    computeInfer.add(requests, requests * inferNanos);
    computeOutput.add(requests, requests * outputNanos);
    counters((int) Math.min(batchSize, bySize.length() - 1))
        .add(inputNanos, inferNanos, outputNanos);
  }

  private BatchSizeCounters counters(int size) {
    BatchSizeCounters counters = bySize.get(size);
    if (counters == null) {
      bySize.compareAndSet(size, null, new BatchSizeCounters());
      counters = bySize.get(size);
    }
    return counters;
  }

  ModelStatistics snapshot() {
    SortedMap<Long, BatchStatistics> batches = new TreeMap<>();
    for (int size = 0; size < bySize.length(); size++) {
      BatchSizeCounters counters = bySize.get(size);
      if (counters != null) {
        batches.put(
            (long) size,
            new BatchStatistics(
                size,
                counters.input.snapshot(),
                counters.infer.snapshot(),
                counters.output.snapshot()));
      }
    }
    return new ModelStatistics(
        lastInferenceMillis,
        inferenceCount.sum(),
        executionCount.sum(),
        success.snapshot(),
        fail.snapshot(),
        queue.snapshot(),
        computeInput.snapshot(),
        computeInfer.snapshot(),
        computeOutput.snapshot(),
        java.util.Collections.unmodifiableSortedMap(batches));
  }

  /** Executions of one batch size and their compute times. */
  private static final class BatchSizeCounters {
    final DurationCounter input = new DurationCounter();
    final DurationCounter infer = new DurationCounter();
    final DurationCounter output = new DurationCounter();

    void add(long inputNanos, long inferNanos, long outputNanos) {
      input.add(1, inputNanos);
      infer.add(1, inferNanos);
      output.add(1, outputNanos);
    }
  }
}
