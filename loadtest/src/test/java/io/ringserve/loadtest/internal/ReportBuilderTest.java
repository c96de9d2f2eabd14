package io.ringserve.loadtest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringserve.loadtest.LoadReport.Bucket;
import io.ringserve.loadtest.LoadReport.TimePoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ReportBuilderTest {
  @Test
  void shouldBucketEveryCallFromFastestToSlowest() {
    Histogram h = new Histogram(3);
    for (long v = 1; v <= 1000; v++) {
      h.recordValue(v * 1000);
    }

    List<Bucket> buckets = ReportBuilder.histogram(h);

    assertEquals(ReportBuilder.BUCKETS + 1, buckets.size());
    assertEquals(1000, buckets.stream().mapToLong(Bucket::count).sum());
    assertEquals(Duration.ofNanos(h.getMinValue()), buckets.get(0).mark());
    assertEquals(Duration.ofNanos(h.getMaxValue()), buckets.get(ReportBuilder.BUCKETS).mark());
    assertEquals(1.0, buckets.stream().mapToDouble(Bucket::frequency).sum(), 1e-9);
  }

  @Test
  void shouldThinATimeSeriesKeepingItsCounts() {
    List<TimePoint> series = new ArrayList<>();
    for (int i = 1; i <= 1000; i++) {
      Duration ms = Duration.ofMillis(i);
      series.add(new TimePoint(Duration.ofMillis(100L * i), 10, 1, 100, ms, ms, ms, ms));
    }

    List<TimePoint> thin = ReportBuilder.thin(series, 300);

    assertEquals(250, thin.size());
    assertEquals(10_000, thin.stream().mapToLong(TimePoint::count).sum());
    assertEquals(1000, thin.stream().mapToLong(TimePoint::errors).sum());
    assertEquals(100, thin.get(0).rps(), 1e-9);
    assertEquals(Duration.ofMillis(4), thin.get(0).max());
  }
}
