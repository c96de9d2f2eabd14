package io.ringserve.loadtest.internal;

import io.ringserve.loadtest.LoadReport;
import io.ringserve.loadtest.LoadReport.Bucket;
import io.ringserve.loadtest.LoadReport.TimePoint;
import io.ringserve.loadtest.LoadSpec;
import io.ringserve.loadtest.ServerStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Turns a finished {@link Measurement} into a {@link LoadReport}: ghz's latency histogram, and a
 * time series thinned to at most {@link #MAX_POINTS} points for charts. Stateless.
 */
public final class ReportBuilder {
  /** Most points kept in a report's time series. */
  public static final int MAX_POINTS = 300;

  /** ghz's number of histogram buckets (it adds one for the slowest call). */
  static final int BUCKETS = 10;

  private ReportBuilder() {}

  /**
   * @param concurrency the closed-loop level, 0 for open loop
   * @param server the server's statistics delta, or {@code null}
   */
  public static LoadReport build(
      LoadSpec spec, int concurrency, String endReason, Measurement m, ServerStats server) {
    long count = m.statusCodes().values().stream().mapToLong(Long::longValue).sum();
    return new LoadReport(
        Instant.now(),
        endReason,
        spec,
        concurrency,
        count,
        m.elapsed(),
        m.latencies(),
        m.statusCodes(),
        m.errors(),
        histogram(m.latencies()),
        thin(m.timeSeries(), MAX_POINTS),
        server,
        m.failedLatencies());
  }

  /**
   * ghz's histogram: {@link #BUCKETS} equal-width buckets from fastest to slowest, each counting
   * the calls with latency up to its mark and above the previous one, plus one at the slowest.
   */
  static List<Bucket> histogram(Histogram h) {
    long total = h.getTotalCount();
    if (total == 0) {
      return List.of();
    }
    long fastest = h.getMinValue();
    long slowest = h.getMaxValue();
    double width = (slowest - fastest) / (double) BUCKETS;
    long[] marks = new long[BUCKETS + 1];
    for (int i = 0; i < BUCKETS; i++) {
      marks[i] = fastest + Math.round(width * i);
    }
    marks[BUCKETS] = slowest;
    long[] counts = new long[BUCKETS + 1];
    int b = 0;
    for (HistogramIterationValue v : h.recordedValues()) {
      // HdrHistogram reports equivalent values at the bucket top; compare within its precision.
      long value = h.lowestEquivalentValue(v.getValueIteratedTo());
      while (b < BUCKETS && value > marks[b]) {
        b++;
      }
      counts[b] += v.getCountAtValueIteratedTo();
    }
    List<Bucket> buckets = new ArrayList<>(BUCKETS + 1);
    for (int i = 0; i <= BUCKETS; i++) {
      buckets.add(new Bucket(Duration.ofNanos(marks[i]), counts[i], counts[i] / (double) total));
    }
    return buckets;
  }

  /**
   * Merges neighbouring points until at most {@code max} are left. Counts add up exactly; the mean
   * is weighted by calls, the median averaged (approximate), the p99 and max take the worst.
   */
  static List<TimePoint> thin(List<TimePoint> series, int max) {
    if (series.size() <= max) {
      return series;
    }
    int group = (series.size() + max - 1) / max;
    List<TimePoint> out = new ArrayList<>(max);
    Duration previousEnd = Duration.ZERO;
    for (int from = 0; from < series.size(); from += group) {
      List<TimePoint> g = series.subList(from, Math.min(series.size(), from + group));
      long count = 0;
      long errors = 0;
      double weightedMean = 0;
      double weightedMedian = 0;
      long ok = 0;
      long p99 = 0;
      long worst = 0;
      for (TimePoint p : g) {
        count += p.count();
        errors += p.errors();
        long pointOk = p.count() - p.errors();
        ok += pointOk;
        weightedMean += pointOk * (double) p.mean().toNanos();
        weightedMedian += pointOk * (double) p.p50().toNanos();
        p99 = Math.max(p99, p.p99().toNanos());
        worst = Math.max(worst, p.max().toNanos());
      }
      Duration end = g.get(g.size() - 1).elapsed();
      double seconds = (end.toNanos() - previousEnd.toNanos()) / 1e9;
      out.add(
          new TimePoint(
              end,
              count,
              errors,
              seconds > 0 ? count / seconds : 0,
              Duration.ofNanos(ok == 0 ? 0 : (long) (weightedMean / ok)),
              Duration.ofNanos(ok == 0 ? 0 : (long) (weightedMedian / ok)),
              Duration.ofNanos(p99),
              Duration.ofNanos(worst)));
      previousEnd = end;
    }
    return out;
  }
}
