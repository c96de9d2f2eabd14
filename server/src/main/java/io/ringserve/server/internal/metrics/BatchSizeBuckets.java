package io.ringserve.server.internal.metrics;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.ringserve.batching.ModelStatistics.BatchStatistics;
import java.util.Map;

/**
 * Turns a scheduler's executions per batch size into the classic buckets of the batch-size
 * histogram.
 *
 * <p>The scheduler already counts executions per exact batch size, so the histogram is derived at
 * scrape time rather than observed per batch: the hot path pays nothing for it. Stateless.
 */
final class BatchSizeBuckets {
  /** Upper bounds in batch rows; powers of two, as batch sizes in model configs usually are. */
  static final double[] UPPER_BOUNDS = {1, 2, 4, 8, 16, 32, 64, 128, 256, Double.POSITIVE_INFINITY};

  private BatchSizeBuckets() {}

  /**
   * Executions per bucket (not cumulative: the library's writers accumulate) for {@code
   * batchStats}, keyed by batch size, whose execution count is that of {@code computeInfer}.
   */
  static ClassicHistogramBuckets of(Map<Long, BatchStatistics> batchStats) {
    long[] counts = new long[UPPER_BOUNDS.length];
    for (BatchStatistics stats : batchStats.values()) {
      counts[bucketOf(stats.batchSize())] += stats.computeInfer().count();
    }
    return ClassicHistogramBuckets.of(UPPER_BOUNDS, counts);
  }

  /** Σ batch size × executions: the rows the executions ran, the histogram's {@code _sum}. */
  static double sum(Map<Long, BatchStatistics> batchStats) {
    double sum = 0;
    for (BatchStatistics stats : batchStats.values()) {
      sum += (double) stats.batchSize() * stats.computeInfer().count();
    }
    return sum;
  }

  private static int bucketOf(long batchSize) {
    for (int i = 0; i < UPPER_BOUNDS.length - 1; i++) {
      if (batchSize <= UPPER_BOUNDS[i]) {
        return i;
      }
    }
    return UPPER_BOUNDS.length - 1;
  }
}
