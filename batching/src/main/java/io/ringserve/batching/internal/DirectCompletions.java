package io.ringserve.batching.internal;

import io.ringserve.batching.InferenceException;
import io.ringserve.batching.InferenceRequest;
import io.ringserve.batching.Tensor;
import java.util.List;

/**
 * Answers each request as soon as its answer is known, on the answering thread.
 *
 * <p>Thread-safe and lock-free: exactly-once comes from the request's own guard.
 */
final class DirectCompletions implements Completions {
  private final StatisticsRecorder statistics;

  DirectCompletions(StatisticsRecorder statistics) {
    this.statistics = statistics;
  }

  @Override
  public boolean succeed(long sequence, InferenceRequest request, List<Tensor> outputs) {
    return Callbacks.succeed(request, outputs); // counted per batch: batchSucceeded
  }

  @Override
  public void batchSucceeded(long answered) {
    statistics.answered(answered);
  }

  @Override
  public boolean fail(long sequence, InferenceRequest request, InferenceException failure) {
    if (Callbacks.fail(request, failure)) {
      statistics.answered(1);
      statistics.failed(1, System.nanoTime() - request.arrivalNanos());
      return true;
    }
    return false;
  }

  @Override
  public void close() {}
}
