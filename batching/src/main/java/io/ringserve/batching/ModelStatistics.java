package io.ringserve.batching;

import java.util.SortedMap;

/**
 * A snapshot of one model version's statistics, with the meaning of Triton's {@code
 * ModelStatistics} so the server can report the figures as they are.
 *
 * <p>Per-request durations ({@code success}, {@code fail}, {@code queue}, {@code computeInput},
 * {@code computeInfer}, {@code computeOutput}) count requests: a request in a batch is charged the
 * batch's whole compute time. {@code batchStats} counts executions per batch size.
 *
 * @param lastInferenceMillis wall-clock time of the last successful execution, ms since the epoch
 *     (0 if none)
 * @param inferenceCount successful inferences, counting every row of every batch
 * @param executionCount successful model executions; a batch counts once
 * @param success successful requests and their total time from arrival to answer
 * @param fail failed requests (refused, timed out, cancelled, or in a failed batch) and their time
 * @param queue successful requests and their time waiting in the queue
 * @param computeInput successful requests and their batches' input preparation time
 * @param computeInfer successful requests and their batches' model execution time
 * @param computeOutput successful requests and their batches' output extraction time
 * @param batchStats per batch size, executions and their compute times
 */
public record ModelStatistics(
    long lastInferenceMillis,
    long inferenceCount,
    long executionCount,
    StatDuration success,
    StatDuration fail,
    StatDuration queue,
    StatDuration computeInput,
    StatDuration computeInfer,
    StatDuration computeOutput,
    SortedMap<Long, BatchStatistics> batchStats) {

  /** A count of occurrences and their total duration in nanoseconds. */
  public record StatDuration(long count, long nanos) {
    public static final StatDuration ZERO = new StatDuration(0, 0);
  }

  /** Executions of one batch size and their compute times (count = executions). */
  public record BatchStatistics(
      long batchSize,
      StatDuration computeInput,
      StatDuration computeInfer,
      StatDuration computeOutput) {}
}
