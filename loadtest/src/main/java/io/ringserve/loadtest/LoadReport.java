package io.ringserve.loadtest;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The result of one measurement: ghz's summary (count, total, slowest, fastest, average,
 * requests/sec, histogram, latency distribution, status-code and error distributions), the latency
 * and throughput over time, and the server's own statistics for the same interval.
 *
 * <p>Latencies and throughput are of successful calls only (as ghz without {@code --count-errors});
 * {@link #count()} counts every call, {@link #errorCount()} the failed ones. In open loop a latency
 * runs from the call's intended start, so a server stall shows up in every call it delayed (no
 * coordinated omission).
 *
 * <p>Immutable and thread-safe; {@link #latencyHistogram()} hands out a copy.
 */
public final class LoadReport {
  private final Instant date;
  private final String endReason;
  private final LoadSpec spec;
  private final int concurrency;
  private final long count;
  private final Duration total;
  private final Histogram latencies;
  private final Map<String, Long> statusCodeDistribution;
  private final Map<String, Long> errorDistribution;
  private final List<Bucket> histogram;
  private final List<TimePoint> timeSeries;
  private final ServerStats server;
  private final Map<String, Histogram> failedLatencies;

  /** Latency at a percentile. */
  public record Percentile(double percentage, Duration latency) {}

  /**
   * One bar of the latency histogram, as ghz: calls with latency up to {@code mark} (and above the
   * previous mark), and their share of all successful calls.
   */
  public record Bucket(Duration mark, long count, double frequency) {}

  /**
   * One interval of the run.
   *
   * @param elapsed end of the interval, from the start of the measurement
   * @param count calls completed in the interval, errors included
   * @param errors calls that failed in the interval
   * @param rps calls completed per second in the interval
   * @param mean mean latency of the interval's successful calls
   * @param p50 median latency in the interval
   * @param p99 99th percentile latency in the interval
   * @param max slowest successful call in the interval
   */
  public record TimePoint(
      Duration elapsed,
      long count,
      long errors,
      double rps,
      Duration mean,
      Duration p50,
      Duration p99,
      Duration max) {}

  /** The percentiles ghz reports, plus 99.9. */
  public static final List<Double> PERCENTILES =
      List.of(10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0, 99.9);

  /**
   * Made by the runner; harnesses normally receive reports rather than build them.
   *
   * @param latencies successful-call latencies in nanoseconds; copied
   */
  public LoadReport(
      Instant date,
      String endReason,
      LoadSpec spec,
      int concurrency,
      long count,
      Duration total,
      Histogram latencies,
      Map<String, Long> statusCodeDistribution,
      Map<String, Long> errorDistribution,
      List<Bucket> histogram,
      List<TimePoint> timeSeries,
      ServerStats server) {
    this(
        date,
        endReason,
        spec,
        concurrency,
        count,
        total,
        latencies,
        statusCodeDistribution,
        errorDistribution,
        histogram,
        timeSeries,
        server,
        Map.of());
  }

  /**
   * As the constructor above, with the latencies of failed calls by status.
   *
   * @param failedLatencies ghz's status name ({@code Unavailable}, ...) to the latencies, in
   *     nanoseconds, of the calls that ended with it; copied
   */
  public LoadReport(
      Instant date,
      String endReason,
      LoadSpec spec,
      int concurrency,
      long count,
      Duration total,
      Histogram latencies,
      Map<String, Long> statusCodeDistribution,
      Map<String, Long> errorDistribution,
      List<Bucket> histogram,
      List<TimePoint> timeSeries,
      ServerStats server,
      Map<String, Histogram> failedLatencies) {
    this.date = Objects.requireNonNull(date, "date");
    this.endReason = Objects.requireNonNull(endReason, "endReason");
    this.spec = Objects.requireNonNull(spec, "spec");
    this.concurrency = concurrency;
    this.count = count;
    this.total = Objects.requireNonNull(total, "total");
    this.latencies = Objects.requireNonNull(latencies, "latencies").copy();
    this.statusCodeDistribution = Map.copyOf(statusCodeDistribution);
    this.errorDistribution = Map.copyOf(errorDistribution);
    this.histogram = List.copyOf(histogram);
    this.timeSeries = List.copyOf(timeSeries);
    this.server = server;
    Map<String, Histogram> failed = new TreeMap<>();
    failedLatencies.forEach((status, h) -> failed.put(status, h.copy()));
    this.failedLatencies = Collections.unmodifiableMap(failed);
  }

  /** When the report was made. */
  public Instant date() {
    return date;
  }

  /** {@code "normal"} (count reached), {@code "timeout"} (duration reached) or {@code "cancel"}. */
  public String endReason() {
    return endReason;
  }

  /** The spec that was run. */
  public LoadSpec spec() {
    return spec;
  }

  /** Calls outstanding at once (closed loop); 0 in open loop. */
  public int concurrency() {
    return concurrency;
  }

  /** Calls measured, errors included (warmup excluded). */
  public long count() {
    return count;
  }

  /** Calls that returned OK. */
  public long okCount() {
    return statusCodeDistribution.getOrDefault("OK", 0L);
  }

  /** Calls that did not return OK. */
  public long errorCount() {
    return count - okCount();
  }

  /** Wall time from the first call's start to the last call's completion. */
  public Duration total() {
    return total;
  }

  public Duration average() {
    return latencies.getTotalCount() == 0
        ? Duration.ZERO
        : Duration.ofNanos((long) latencies.getMean());
  }

  public Duration fastest() {
    return latencies.getTotalCount() == 0
        ? Duration.ZERO
        : Duration.ofNanos(latencies.getMinValue());
  }

  public Duration slowest() {
    return latencies.getTotalCount() == 0
        ? Duration.ZERO
        : Duration.ofNanos(latencies.getMaxValue());
  }

  /**
   * Successful calls per second. Unlike ghz's Requests/sec, failed calls do not count: a server
   * that refuses every call fast must not look like a fast server.
   */
  public double rps() {
    double seconds = total.toNanos() / 1e9;
    return seconds <= 0 ? 0 : okCount() / seconds;
  }

  /** Failed calls as a fraction of all calls measured (0 when none ran). */
  public double errorRate() {
    return count == 0 ? 0 : errorCount() / (double) count;
  }

  /** Batch elements successfully inferred per second (perf_analyzer's throughput). */
  public double inferencesPerSecond() {
    double seconds = total.toNanos() / 1e9;
    return seconds <= 0 ? 0 : okCount() * (double) spec.batchSize() / seconds;
  }

  /** Latency at {@code percentage} (0..100) of successful calls. */
  public Duration percentile(double percentage) {
    if (!(percentage >= 0 && percentage <= 100)) {
      throw new IllegalArgumentException("percentage must be in [0, 100], got " + percentage);
    }
    return latencies.getTotalCount() == 0
        ? Duration.ZERO
        : Duration.ofNanos(latencies.getValueAtPercentile(percentage));
  }

  /**
   * Latency at {@code percentage} (0..100) of the calls that failed with {@code status} (ghz's
   * name: {@code Unavailable}, ...); zero if none did. Under overload with a queue limit, {@code
   * failedPercentile("Unavailable", 99)} is the rejection p99.
   */
  public Duration failedPercentile(String status, double percentage) {
    if (!(percentage >= 0 && percentage <= 100)) {
      throw new IllegalArgumentException("percentage must be in [0, 100], got " + percentage);
    }
    Histogram h = failedLatencies.get(status);
    return h == null || h.getTotalCount() == 0
        ? Duration.ZERO
        : Duration.ofNanos(h.getValueAtPercentile(percentage));
  }

  /** The statuses of failed calls whose latencies were recorded (ghz's names), sorted. */
  public java.util.Set<String> failedStatuses() {
    return failedLatencies.keySet();
  }

  /** Latency at each of {@link #PERCENTILES}. */
  public List<Percentile> latencyDistribution() {
    return PERCENTILES.stream().map(p -> new Percentile(p, percentile(p))).toList();
  }

  /** gRPC status code name (as ghz: {@code OK}, {@code Unavailable}, ...) to number of calls. */
  public Map<String, Long> statusCodeDistribution() {
    return statusCodeDistribution;
  }

  /** Error message to number of calls. */
  public Map<String, Long> errorDistribution() {
    return errorDistribution;
  }

  /** The latency histogram, about ten bars from fastest to slowest. */
  public List<Bucket> histogram() {
    return histogram;
  }

  /** Latency and throughput per interval, in order. */
  public List<TimePoint> timeSeries() {
    return timeSeries;
  }

  /** The server's statistics for the measurement, or {@code null} if it does not offer them. */
  public ServerStats server() {
    return server;
  }

  /** A copy of all successful-call latencies, in nanoseconds. */
  public Histogram latencyHistogram() {
    return latencies.copy();
  }
}
