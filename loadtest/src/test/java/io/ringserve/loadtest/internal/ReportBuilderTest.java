package io.ringserve.loadtest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.ringserve.loadtest.LoadReport;
import io.ringserve.loadtest.LoadReport.Bucket;
import io.ringserve.loadtest.LoadReport.TimePoint;
import io.ringserve.loadtest.LoadSpec;
import io.ringserve.loadtest.Target;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
  void shouldTimeRejectionsApartFromSuccessesByStatus() {
    Measurement m = new Measurement();
    for (int i = 1; i <= 100; i++) {
      m.record(TimeUnit.MILLISECONDS.toNanos(100 + i), Status.Code.OK, null);
      m.record(TimeUnit.MICROSECONDS.toNanos(100 + i), Status.Code.UNAVAILABLE, "queue full");
    }
    m.record(TimeUnit.SECONDS.toNanos(2), Status.Code.DEADLINE_EXCEEDED, null);
    m.finish();

    LoadReport r =
        ReportBuilder.build(
            LoadSpec.builder(Target.of("127.0.0.1", 1), "m").total(201).build(),
            1,
            "done",
            m,
            null);

    // The successes' percentiles are theirs alone; each failed status has its own.
    assertEquals(201, r.count(), 0);
    assertEquals(199, r.percentile(99).toMillis(), 1);
    assertEquals(List.of("DeadlineExceeded", "Unavailable"), List.copyOf(r.failedStatuses()));
    assertEquals(199, r.failedPercentile("Unavailable", 99).toNanos() / 1000.0, 1);
    assertEquals(2000, r.failedPercentile("DeadlineExceeded", 50).toMillis(), 2);
    assertEquals(Duration.ZERO, r.failedPercentile("Internal", 99));
    StringWriter summary = new StringWriter();
    SummaryReport.write(r, summary);
    assertTrue(summary.toString().contains("[Unavailable]\tp50 150"), summary.toString());
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
