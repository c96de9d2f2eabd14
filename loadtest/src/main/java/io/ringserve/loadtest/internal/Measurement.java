package io.ringserve.loadtest.internal;

import io.grpc.Status;
import io.ringserve.loadtest.LoadReport.TimePoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Collects the outcome of every call of one measurement: latencies of successful calls in an
 * HdrHistogram {@link Recorder} (wait-free for the many recording threads), counts by status code
 * and error, and a time series cut by {@link #sample()}.
 *
 * <p>Threading: {@link #record} from any thread at any time; {@link #sample()} and {@link
 * #finish()} from one thread at a time (the runner's sampler). Cost per call: one recorder update,
 * two adder increments, and a map lookup for the status name.
 */
public final class Measurement {
  private final long startNanos;
  private final Recorder recorder = new Recorder(3);
  private final Map<Status.Code, LongAdder> codes = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  private final Map<Status.Code, Recorder> failedRecorders = new ConcurrentHashMap<>();
  private final LongAdder completed = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final AtomicLong lastCompletionNanos;

  // Owned by the sampling thread.
  private final Histogram total = new Histogram(3);
  private final List<TimePoint> series = new ArrayList<>();
  private Histogram interval;
  private long lastSampleNanos;
  private long lastCompleted;
  private long lastFailed;

  /** Starts the clock: the measurement's time zero is now. */
  public Measurement() {
    this.startNanos = System.nanoTime();
    this.lastSampleNanos = startNanos;
    this.lastCompletionNanos = new AtomicLong(startNanos);
  }

  /** {@link System#nanoTime()} at the start. */
  public long startNanos() {
    return startNanos;
  }

  /**
   * Records one completed call.
   *
   * @param latencyNanos completion minus (intended) start
   * @param error {@code null} on success
   */
  public void record(long latencyNanos, Status.Code code, String error) {
    if (code == Status.Code.OK) {
      recorder.recordValue(Math.max(1, latencyNanos));
    } else {
      // Kept apart from the successes' so that a server's rejections (UNAVAILABLE under overload)
      // can be timed on their own: how fast it says no is a figure of its own.
      failedRecorders
          .computeIfAbsent(code, c -> new Recorder(3))
          .recordValue(Math.max(1, latencyNanos));
      failed.increment();
      errors.computeIfAbsent(error == null ? code.name() : error, k -> new LongAdder()).increment();
    }
    codes.computeIfAbsent(code, k -> new LongAdder()).increment();
    completed.increment();
    lastCompletionNanos.accumulateAndGet(System.nanoTime(), Math::max);
  }

  /** Calls recorded so far (approximate while calls complete). */
  public long completed() {
    return completed.sum();
  }

  /** Closes the current interval of the time series. */
  public void sample() {
    long now = System.nanoTime();
    interval = recorder.getIntervalHistogram(interval);
    total.add(interval);
    long c = completed.sum();
    long f = failed.sum();
    long n = c - lastCompleted;
    double seconds = (now - lastSampleNanos) / 1e9;
    boolean any = interval.getTotalCount() > 0;
    series.add(
        new TimePoint(
            Duration.ofNanos(now - startNanos),
            n,
            f - lastFailed,
            seconds > 0 ? n / seconds : 0,
            Duration.ofNanos(any ? (long) interval.getMean() : 0),
            Duration.ofNanos(any ? interval.getValueAtPercentile(50) : 0),
            Duration.ofNanos(any ? interval.getValueAtPercentile(99) : 0),
            Duration.ofNanos(any ? interval.getMaxValue() : 0)));
    lastSampleNanos = now;
    lastCompleted = c;
    lastFailed = f;
  }

  /** Takes the last sample; call once every call has been recorded. */
  public void finish() {
    sample();
  }

  /** All successful-call latencies sampled so far, in nanoseconds (the live histogram). */
  public Histogram latencies() {
    return total;
  }

  public List<TimePoint> timeSeries() {
    return List.copyOf(series);
  }

  /** Wall time from the start to the last completion. */
  public Duration elapsed() {
    return Duration.ofNanos(lastCompletionNanos.get() - startNanos);
  }

  /**
   * Latencies of the failed calls, in nanoseconds, by status under ghz's names ({@code
   * Unavailable}, ...). Call after {@link #finish()}, from the sampling thread.
   */
  public Map<String, Histogram> failedLatencies() {
    Map<String, Histogram> m = new TreeMap<>();
    failedRecorders.forEach(
        (code, r) -> m.merge(Statuses.ghzName(code), r.getIntervalHistogram(), Measurement::sum));
    return m;
  }

  private static Histogram sum(Histogram a, Histogram b) {
    a.add(b);
    return a;
  }

  /** ghz's status-code distribution. */
  public Map<String, Long> statusCodes() {
    Map<String, Long> m = new TreeMap<>();
    codes.forEach((code, n) -> m.put(Statuses.ghzName(code), n.sum()));
    return m;
  }

  /** ghz's error distribution. */
  public Map<String, Long> errors() {
    Map<String, Long> m = new TreeMap<>();
    errors.forEach((error, n) -> m.put(error, n.sum()));
    return m;
  }
}
