package io.ringserve.server.internal.metrics;

import io.ringserve.batching.BatchPolicy;
import io.ringserve.batching.InferenceRequest;
import io.ringserve.batching.ModelScheduler;
import io.ringserve.batching.ModelStatistics;
import java.time.Duration;

/**
 * A scheduler that runs nothing and reports the statistics a test sets, so metrics can be checked
 * against known figures. Thread-safe: the figures are volatile, set by the test, read by scrapes.
 */
final class FixedStatisticsScheduler implements ModelScheduler {
  private volatile ModelStatistics statistics;
  private volatile int pendingRequests;
  private volatile RuntimeException failure;

  FixedStatisticsScheduler(ModelStatistics statistics, int pendingRequests) {
    this.statistics = statistics;
    this.pendingRequests = pendingRequests;
  }

  void set(ModelStatistics statistics, int pendingRequests) {
    this.statistics = statistics;
    this.pendingRequests = pendingRequests;
  }

  /** Makes {@link #statistics()} throw {@code failure}, as a scheduler in a bad state might. */
  void failWith(RuntimeException failure) {
    this.failure = failure;
  }

  @Override
  public void submit(InferenceRequest request) {
    throw new UnsupportedOperationException("metrics tests submit no requests");
  }

  @Override
  public BatchPolicy policy() {
    return BatchPolicy.unbatched();
  }

  @Override
  public ModelStatistics statistics() {
    RuntimeException failure = this.failure;
    if (failure != null) {
      throw failure;
    }
    return statistics;
  }

  @Override
  public int pendingRequests() {
    return pendingRequests;
  }

  @Override
  public void shutdown(Duration grace) {}
}
