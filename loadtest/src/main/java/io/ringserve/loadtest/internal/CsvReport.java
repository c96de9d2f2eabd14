package io.ringserve.loadtest.internal;

import io.ringserve.loadtest.LoadReport;
import io.ringserve.loadtest.ServerStats;
import io.ringserve.loadtest.SweepReport;
import java.io.PrintWriter;
import java.io.Writer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Writes reports as CSV, one row per measurement (a sweep has one per level), in the spirit of
 * perf_analyzer's {@code -f} file: load, throughput, latency percentiles in microseconds, errors
 * and the server's statistics. Unlike ghz's CSV it has no per-call rows (calls are not kept).
 * Stateless.
 */
public final class CsvReport {
  /** The header row. */
  public static final String HEADER =
      "concurrency,rps_target,count,errors,total_s,requests_per_s,inferences_per_s,"
          + "avg_us,min_us,p10_us,p25_us,p50_us,p75_us,p90_us,p95_us,p99_us,p99.9_us,max_us,"
          + "server_inferences,server_executions,server_avg_batch,server_avg_queue_us,"
          + "server_avg_compute_us";

  private CsvReport() {}

  public static void write(LoadReport report, Writer out) {
    write(List.of(report), out);
  }

  public static void write(SweepReport sweep, Writer out) {
    write(sweep.levels(), out);
  }

  private static void write(List<LoadReport> reports, Writer out) {
    PrintWriter p = new PrintWriter(out);
    p.println(HEADER);
    for (LoadReport r : reports) {
      StringBuilder row = new StringBuilder();
      row.append(r.concurrency()).append(',');
      row.append(fmt(r.spec().rps())).append(',');
      row.append(r.count()).append(',');
      row.append(r.errorCount()).append(',');
      row.append(fmt(r.total().toNanos() / 1e9)).append(',');
      row.append(fmt(r.rps())).append(',');
      row.append(fmt(r.inferencesPerSecond())).append(',');
      row.append(us(r.average())).append(',');
      row.append(us(r.fastest())).append(',');
      for (double pc : LoadReport.PERCENTILES) {
        row.append(us(r.percentile(pc))).append(',');
      }
      row.append(us(r.slowest())).append(',');
      ServerStats s = r.server();
      if (s == null) {
        row.append(",,,,");
      } else {
        row.append(s.inferenceCount()).append(',');
        row.append(s.executionCount()).append(',');
        row.append(fmt(s.averageBatchSize())).append(',');
        row.append(us(s.averageQueueTime())).append(',');
        row.append(us(s.averageComputeTime()));
      }
      p.println(row);
    }
    p.flush();
  }

  private static String us(Duration d) {
    return fmt(d.toNanos() / 1e3);
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }
}
