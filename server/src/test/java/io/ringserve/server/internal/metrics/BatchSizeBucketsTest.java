package io.ringserve.server.internal.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.ringserve.batching.ModelStatistics.BatchStatistics;
import io.ringserve.batching.ModelStatistics.StatDuration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class BatchSizeBucketsTest {

  private static BatchStatistics executions(long size, long count) {
    StatDuration d = new StatDuration(count, 0);
    return new BatchStatistics(size, d, d, d);
  }

  private static Map<Long, BatchStatistics> of(long... sizeThenCount) {
    Map<Long, BatchStatistics> stats = new TreeMap<>();
    for (int i = 0; i < sizeThenCount.length; i += 2) {
      stats.put(sizeThenCount[i], executions(sizeThenCount[i], sizeThenCount[i + 1]));
    }
    return stats;
  }

  @Test
  void shouldPutEachBatchSizeInTheFirstBucketAtOrAboveIt() {
    ClassicHistogramBuckets buckets = BatchSizeBuckets.of(of(1, 1, 2, 10, 3, 100, 256, 5, 257, 7));

    assertEquals(10, buckets.size());
    assertEquals(1, buckets.getCount(0)); // le=1
    assertEquals(10, buckets.getCount(1)); // le=2
    assertEquals(100, buckets.getCount(2)); // le=4 holds size 3
    assertEquals(5, buckets.getCount(8)); // le=256
    assertEquals(7, buckets.getCount(9)); // +Inf holds size 257
    assertEquals(Double.POSITIVE_INFINITY, buckets.getUpperBound(9));
  }

  @Test
  void shouldSumRowsOverAllExecutions() {
    Map<Long, BatchStatistics> stats = of(1, 2, 4, 3, 300, 1);

    assertEquals(2 + 12 + 300, BatchSizeBuckets.sum(stats));
  }

  @Test
  void shouldGiveEmptyBucketsWhenNothingRan() {
    ClassicHistogramBuckets buckets = BatchSizeBuckets.of(Map.of());

    assertEquals(10, buckets.size());
    for (int i = 0; i < buckets.size(); i++) {
      assertEquals(0, buckets.getCount(i));
    }
  }
}
