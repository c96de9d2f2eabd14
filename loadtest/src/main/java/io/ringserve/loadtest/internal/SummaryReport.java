package io.ringserve.loadtest.internal;

import static io.ringserve.loadtest.internal.Durations.format;
import static io.ringserve.loadtest.internal.Durations.millis;

import io.ringserve.loadtest.ContentsMode;
import io.ringserve.loadtest.LoadReport;
import io.ringserve.loadtest.LoadReport.Bucket;
import io.ringserve.loadtest.LoadReport.Percentile;
import io.ringserve.loadtest.LoadSpec;
import io.ringserve.loadtest.Protocol;
import io.ringserve.loadtest.ServerStats;
import io.ringserve.loadtest.SweepReport;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.Locale;
import java.util.Map;

/**
 * Writes reports as text: ghz's summary layout for one run (Summary, Response time histogram,
 * Latency distribution, Status code distribution, Error distribution) followed by the server's
 * statistics, and perf_analyzer's table for a sweep. Stateless.
 */
public final class SummaryReport {
  private static final int BAR_WIDTH = 40;

  private SummaryReport() {}

  public static void write(LoadReport r, Writer out) {
    PrintWriter p = new PrintWriter(out);
    p.println();
    p.println("Summary:");
    p.printf(Locale.ROOT, "  Name:\t%s%n", describe(r.spec(), r.concurrency()));
    p.printf(Locale.ROOT, "  Count:\t%d%n", r.count());
    p.printf(Locale.ROOT, "  Errors:\t%d (%.2f %%)%n", r.errorCount(), 100 * r.errorRate());
    p.printf(Locale.ROOT, "  Total:\t%s%n", format(r.total()));
    p.printf(Locale.ROOT, "  Slowest:\t%s%n", format(r.slowest()));
    p.printf(Locale.ROOT, "  Fastest:\t%s%n", format(r.fastest()));
    p.printf(Locale.ROOT, "  Average:\t%s%n", format(r.average()));
    p.printf(Locale.ROOT, "  Requests/sec:\t%.2f%n", r.rps());
    p.printf(Locale.ROOT, "  Inferences/sec:\t%.2f%n", r.inferencesPerSecond());
    p.println();
    p.println("Response time histogram:");
    long most = r.histogram().stream().mapToLong(Bucket::count).max().orElse(0);
    for (Bucket b : r.histogram()) {
      int bar = most == 0 ? 0 : (int) (b.count() * BAR_WIDTH / most);
      p.printf(
          Locale.ROOT,
          "  %10.3f [%d]\t|%s%n",
          b.mark().toNanos() / 1e6,
          b.count(),
          "∎".repeat(bar));
    }
    p.println();
    p.println("Latency distribution:");
    for (Percentile pc : r.latencyDistribution()) {
      p.printf(Locale.ROOT, "  %s %% in %s%n", trim(pc.percentage()), format(pc.latency()));
    }
    if (!r.failedStatuses().isEmpty()) {
      // Rejections under overload are timed apart from the successes above.
      p.println();
      p.println("Latency of failed calls, by status:");
      for (String status : r.failedStatuses()) {
        p.printf(
            Locale.ROOT,
            "  [%s]\tp50 %s, p99 %s%n",
            status,
            format(r.failedPercentile(status, 50)),
            format(r.failedPercentile(status, 99)));
      }
    }
    p.println();
    p.println("Status code distribution:");
    for (Map.Entry<String, Long> e : r.statusCodeDistribution().entrySet()) {
      p.printf(Locale.ROOT, "  [%s]\t%d responses%n", e.getKey(), e.getValue());
    }
    if (!r.errorDistribution().isEmpty()) {
      p.println();
      p.println("Error distribution:");
      for (Map.Entry<String, Long> e : r.errorDistribution().entrySet()) {
        p.printf(Locale.ROOT, "  [%d]\t%s%n", e.getValue(), e.getKey());
      }
    }
    p.println();
    server(p, r.server(), r.spec().model());
    p.flush();
  }

  public static void write(SweepReport s, Writer out) {
    PrintWriter p = new PrintWriter(out);
    p.println();
    p.printf(Locale.ROOT, "Concurrency sweep: %s%n", describe(s.spec(), 0));
    p.printf(
        Locale.ROOT,
        "%11s %12s %10s %9s %9s %9s %9s %8s %10s %12s %12s%n",
        "Concurrency",
        "Inferences/s",
        "Requests/s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "avg ms",
        "errors",
        "srv batch",
        "srv queue ms",
        "srv comp ms");
    for (LoadReport r : s.levels()) {
      ServerStats st = r.server();
      p.printf(
          Locale.ROOT,
          "%11d %12.1f %10.1f %9s %9s %9s %9s %8d %10s %12s %12s%n",
          r.concurrency(),
          r.inferencesPerSecond(),
          r.rps(),
          millis(r.percentile(50)),
          millis(r.percentile(90)),
          millis(r.percentile(99)),
          millis(r.average()),
          r.errorCount(),
          st == null ? "-" : String.format(Locale.ROOT, "%.2f", st.averageBatchSize()),
          st == null ? "-" : millis(st.averageQueueTime()),
          st == null ? "-" : millis(st.averageComputeTime()));
    }
    p.flush();
  }

  /** One line saying what ran: model, load shape, bound. */
  static String describe(LoadSpec s, int concurrency) {
    StringBuilder sb = new StringBuilder();
    sb.append(s.model());
    if (!s.modelVersion().isEmpty()) {
      sb.append(" v").append(s.modelVersion());
    }
    sb.append(" at ").append(s.target().address());
    sb.append(s.stream() ? " (stream)" : "");
    if (s.protocol() == Protocol.HTTP) {
      sb.append(s.contents() == ContentsMode.RAW ? " (HTTP, binary)" : " (HTTP, JSON)");
    }
    if (s.isOpenLoop()) {
      sb.append(String.format(Locale.ROOT, ", open loop %.1f rps", s.rps()));
    } else if (concurrency > 0) {
      sb.append(", concurrency ").append(concurrency);
    }
    sb.append(", batch ").append(s.batchSize());
    if (s.connections() > 1) {
      sb.append(", ").append(s.connections()).append(" connections");
    }
    if (s.total() > 0) {
      sb.append(", ").append(s.total()).append(" requests");
    }
    if (!s.duration().isZero()) {
      sb.append(", ").append(format(s.duration()));
    }
    return sb.toString();
  }

  private static void server(PrintWriter p, ServerStats s, String model) {
    if (s == null) {
      p.println("Server statistics: not offered by the server (ModelStatistics failed)");
      return;
    }
    p.printf(Locale.ROOT, "Server statistics (ModelStatistics of %s, after - before):%n", model);
    p.printf(Locale.ROOT, "  Inferences:\t%d%n", s.inferenceCount());
    p.printf(Locale.ROOT, "  Executions:\t%d%n", s.executionCount());
    p.printf(Locale.ROOT, "  Avg batch size:\t%.2f%n", s.averageBatchSize());
    p.printf(Locale.ROOT, "  Avg queue time:\t%s%n", format(s.averageQueueTime()));
    p.printf(
        Locale.ROOT,
        "  Avg compute time:\t%s (input %s, infer %s, output %s)%n",
        format(s.averageComputeTime()),
        format(s.averageComputeInputTime()),
        format(s.averageComputeInferTime()),
        format(s.averageComputeOutputTime()));
  }

  private static String trim(double percentage) {
    return percentage == Math.rint(percentage)
        ? Long.toString((long) percentage)
        : Double.toString(percentage);
  }
}
