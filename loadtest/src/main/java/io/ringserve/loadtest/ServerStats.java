package io.ringserve.loadtest;

import java.time.Duration;

/**
 * What the server says it did during a measurement: the difference of its {@code ModelStatistics}
 * (a Triton extension of KServe v2) read before and after, summed over the model's versions.
 * Immutable.
 *
 * @param inferenceCount batch elements inferred (a request of batch 4 counts 4)
 * @param executionCount model executions; a dynamically batched execution counts once
 * @param successCount requests answered successfully
 * @param failCount requests that failed
 * @param queueCount requests that reported queue time
 * @param queueNanos total time requests waited in the queue
 * @param computeCount requests that reported compute time
 * @param computeInputNanos total time spent preparing inputs
 * @param computeInferNanos total time spent running the model
 * @param computeOutputNanos total time spent extracting outputs
 */
public record ServerStats(
    long inferenceCount,
    long executionCount,
    long successCount,
    long failCount,
    long queueCount,
    long queueNanos,
    long computeCount,
    long computeInputNanos,
    long computeInferNanos,
    long computeOutputNanos) {

  /** Batch elements per model execution: how well the server batched; 0 if it executed nothing. */
  public double averageBatchSize() {
    return executionCount == 0 ? 0 : (double) inferenceCount / executionCount;
  }

  /** Mean time a request waited in the server's queue. */
  public Duration averageQueueTime() {
    return mean(queueNanos, queueCount);
  }

  /** Mean time a request spent in compute (input + infer + output). */
  public Duration averageComputeTime() {
    return mean(computeInputNanos + computeInferNanos + computeOutputNanos, computeCount);
  }

  public Duration averageComputeInputTime() {
    return mean(computeInputNanos, computeCount);
  }

  public Duration averageComputeInferTime() {
    return mean(computeInferNanos, computeCount);
  }

  public Duration averageComputeOutputTime() {
    return mean(computeOutputNanos, computeCount);
  }

  /** {@code after - before}, field by field. */
  public static ServerStats delta(ServerStats before, ServerStats after) {
    return new ServerStats(
        after.inferenceCount - before.inferenceCount,
        after.executionCount - before.executionCount,
        after.successCount - before.successCount,
        after.failCount - before.failCount,
        after.queueCount - before.queueCount,
        after.queueNanos - before.queueNanos,
        after.computeCount - before.computeCount,
        after.computeInputNanos - before.computeInputNanos,
        after.computeInferNanos - before.computeInferNanos,
        after.computeOutputNanos - before.computeOutputNanos);
  }

  private static Duration mean(long nanos, long count) {
    return count <= 0 ? Duration.ZERO : Duration.ofNanos(nanos / count);
  }
}
