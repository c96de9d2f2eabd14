package io.ringserve.loadtest.internal;

import static io.ringserve.loadtest.internal.Durations.format;
import static io.ringserve.loadtest.internal.Durations.millis;

import io.ringserve.loadtest.LoadReport;
import io.ringserve.loadtest.LoadReport.Bucket;
import io.ringserve.loadtest.LoadReport.Percentile;
import io.ringserve.loadtest.LoadReport.TimePoint;
import io.ringserve.loadtest.ServerStats;
import io.ringserve.loadtest.SweepReport;
import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a report as one self-contained HTML page: inline CSS, charts drawn as inline SVG (a
 * latency histogram, latency and throughput over time; for a sweep, throughput-vs-latency curves),
 * tables, and the full JSON report in a {@code <script type="application/json" id="report-data">}
 * element so the charts' data can be read back. No scripts run and nothing is fetched. Stateless.
 */
public final class HtmlReport {
  private static final String CSS =
      "body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1000px}"
          + "h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}"
          + "table{border-collapse:collapse;margin:.5em 0}"
          + "td,th{border:1px solid #ccc;padding:3px 10px;text-align:right}"
          + "th{background:#f3f3f3}td.l,th.l{text-align:left}"
          + ".chart{display:block;margin:1em 0;font-size:11px}"
          + ".axis{stroke:#333}.grid{stroke:#e5e5e5}.title{font-size:13px;font-weight:bold}"
          + ".tick{fill:#555}.label{fill:#333}.legend{fill:#333}.pt{fill:#555;font-size:10px}"
          + ".note{color:#666;font-size:.9em}";

  private HtmlReport() {}

  private static String errors(LoadReport r) {
    return String.format(Locale.ROOT, "%d (%.2f %%)", r.errorCount(), 100 * r.errorRate());
  }

  public static void write(LoadReport r, Writer out) throws IOException {
    StringWriter json = new StringWriter();
    JsonReport.write(r, json, "");
    StringBuilder h =
        head("RingServe load test: " + SummaryReport.describe(r.spec(), r.concurrency()), r);
    h.append("<h2>Summary</h2>\n<table>\n");
    row(h, "Count", Long.toString(r.count()));
    row(h, "Errors", errors(r));
    row(h, "Total", format(r.total()));
    row(h, "Slowest", format(r.slowest()));
    row(h, "Fastest", format(r.fastest()));
    row(h, "Average", format(r.average()));
    row(h, "Requests/sec", String.format(Locale.ROOT, "%.2f", r.rps()));
    row(h, "Inferences/sec", String.format(Locale.ROOT, "%.2f", r.inferencesPerSecond()));
    row(h, "End reason", r.endReason());
    h.append("</table>\n");

    h.append("<h2>Latency histogram</h2>\n");
    histogram(h, r);
    h.append("<h2>Over time</h2>\n");
    overTime(h, r.timeSeries(), List.of());

    h.append(
        "<h2>Latency distribution</h2>\n<table>\n<tr><th>percentile</th><th>latency</th></tr>\n");
    for (Percentile p : r.latencyDistribution()) {
      h.append("<tr><td>")
          .append(p.percentage())
          .append(" %</td><td>")
          .append(format(p.latency()))
          .append("</td></tr>\n");
    }
    h.append("</table>\n");
    distribution(h, "Status code distribution", "code", r.statusCodeDistribution());
    if (!r.errorDistribution().isEmpty()) {
      distribution(h, "Error distribution", "error", r.errorDistribution());
    }
    server(h, r.server());
    finish(h, json.toString(), out);
  }

  public static void write(SweepReport s, Writer out) throws IOException {
    StringWriter json = new StringWriter();
    JsonReport.write(s, json, "");
    StringBuilder h =
        head("RingServe concurrency sweep: " + SummaryReport.describe(s.spec(), 0), null);
    List<LoadReport> levels = s.levels();
    int n = levels.size();
    double[] throughput = new double[n];
    double[] concurrency = new double[n];
    double[] p50 = new double[n];
    double[] p90 = new double[n];
    double[] p99 = new double[n];
    String[] tags = new String[n];
    for (int i = 0; i < n; i++) {
      LoadReport r = levels.get(i);
      throughput[i] = r.inferencesPerSecond();
      concurrency[i] = r.concurrency();
      p50[i] = r.percentile(50).toNanos() / 1e6;
      p90[i] = r.percentile(90).toNanos() / 1e6;
      p99[i] = r.percentile(99).toNanos() / 1e6;
      tags[i] = "c=" + r.concurrency();
    }
    h.append("<h2>Throughput vs latency</h2>\n");
    h.append(
        SvgChart.lines(
            "Latency against throughput, one point per concurrency level",
            "throughput (inferences/s)",
            "latency (ms)",
            List.of(
                new SvgChart.Series("p50", "#4878d0", throughput, p50, tags),
                new SvgChart.Series("p90", "#ee854a", throughput, p90, tags),
                new SvgChart.Series("p99", "#d65f5f", throughput, p99, tags)),
            true));
    h.append(
        SvgChart.lines(
            "Throughput by concurrency",
            "concurrency",
            "inferences/s",
            List.of(new SvgChart.Series("inferences/s", "#4878d0", concurrency, throughput, tags)),
            true));
    h.append(
        "<h2>Over time</h2>\n<p class=\"note\">The levels one after another (warmups left out).</p>\n");
    List<TimePoint> all = new ArrayList<>();
    List<Double> levelStarts = new ArrayList<>();
    Duration offset = Duration.ZERO;
    for (LoadReport r : levels) {
      levelStarts.add(offset.toNanos() / 1e9);
      for (TimePoint p : r.timeSeries()) {
        all.add(
            new TimePoint(
                p.elapsed().plus(offset),
                p.count(),
                p.errors(),
                p.rps(),
                p.mean(),
                p.p50(),
                p.p99(),
                p.max()));
      }
      offset = offset.plus(r.total());
    }
    overTime(h, all, levelStarts);
    h.append("<h2>Latency histograms</h2>\n");
    for (LoadReport r : levels) {
      h.append("<details><summary>concurrency ").append(r.concurrency()).append("</summary>\n");
      histogram(h, r);
      h.append("</details>\n");
    }
    h.append(
        "<h2>Levels</h2>\n<table>\n<tr><th>concurrency</th><th>inferences/s</th><th>requests/s</th>"
            + "<th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>avg ms</th><th>count</th><th>errors</th>"
            + "<th>server avg batch</th><th>server queue ms</th><th>server compute ms</th></tr>\n");
    for (LoadReport r : levels) {
      ServerStats st = r.server();
      h.append("<tr><td>")
          .append(r.concurrency())
          .append("</td><td>")
          .append(String.format(Locale.ROOT, "%.1f", r.inferencesPerSecond()))
          .append("</td><td>")
          .append(String.format(Locale.ROOT, "%.1f", r.rps()))
          .append("</td><td>")
          .append(millis(r.percentile(50)))
          .append("</td><td>")
          .append(millis(r.percentile(90)))
          .append("</td><td>")
          .append(millis(r.percentile(99)))
          .append("</td><td>")
          .append(millis(r.average()))
          .append("</td><td>")
          .append(r.count())
          .append("</td><td>")
          .append(r.errorCount())
          .append("</td><td>")
          .append(st == null ? "-" : String.format(Locale.ROOT, "%.2f", st.averageBatchSize()))
          .append("</td><td>")
          .append(st == null ? "-" : millis(st.averageQueueTime()))
          .append("</td><td>")
          .append(st == null ? "-" : millis(st.averageComputeTime()))
          .append("</td></tr>\n");
    }
    h.append("</table>\n");
    finish(h, json.toString(), out);
  }

  private static void histogram(StringBuilder h, LoadReport r) {
    List<Bucket> buckets = r.histogram();
    String[] labels = new String[buckets.size()];
    double[] counts = new double[buckets.size()];
    for (int i = 0; i < buckets.size(); i++) {
      labels[i] = millis(buckets.get(i).mark());
      counts[i] = buckets.get(i).count();
    }
    h.append(
        SvgChart.bars(
            "Calls by latency (bucket upper bound, ms)",
            "latency (ms)",
            "calls",
            labels,
            counts,
            "#4878d0"));
  }

  /**
   * Latency and throughput charts over {@code series}; {@code marks} lists where each sweep level
   * starts, in seconds.
   */
  private static void overTime(StringBuilder h, List<TimePoint> series, List<Double> marks) {
    double[] t = new double[series.size()];
    double[] rps = new double[series.size()];
    double[] errors = new double[series.size()];
    // Latency only where calls succeeded: an empty interval has no latency, not a latency of 0.
    List<TimePoint> measured = series.stream().filter(p -> p.count() > p.errors()).toList();
    double[] tm = new double[measured.size()];
    double[] p50 = new double[measured.size()];
    double[] p99 = new double[measured.size()];
    double[] mean = new double[measured.size()];
    double previous = 0;
    for (int i = 0; i < series.size(); i++) {
      TimePoint p = series.get(i);
      t[i] = p.elapsed().toNanos() / 1e9;
      rps[i] = p.rps();
      double seconds = t[i] - previous;
      errors[i] = seconds > 0 ? p.errors() / seconds : 0;
      previous = t[i];
    }
    for (int i = 0; i < measured.size(); i++) {
      TimePoint p = measured.get(i);
      tm[i] = p.elapsed().toNanos() / 1e9;
      p50[i] = p.p50().toNanos() / 1e6;
      p99[i] = p.p99().toNanos() / 1e6;
      mean[i] = p.mean().toNanos() / 1e6;
    }
    h.append(
        SvgChart.lines(
            "Latency over time",
            "time (s)",
            "latency (ms)",
            List.of(
                new SvgChart.Series("p50", "#4878d0", tm, p50, null),
                new SvgChart.Series("p99", "#d65f5f", tm, p99, null),
                new SvgChart.Series("mean", "#6acc64", tm, mean, null)),
            false));
    h.append(
        SvgChart.lines(
            "Throughput over time",
            "time (s)",
            "calls/s",
            List.of(
                new SvgChart.Series("completed/s", "#4878d0", t, rps, null),
                new SvgChart.Series("errors/s", "#d65f5f", t, errors, null)),
            false));
    if (!marks.isEmpty()) {
      h.append("<p class=\"note\">Levels start at (s):");
      for (double m : marks) {
        h.append(String.format(Locale.ROOT, " %.1f", m));
      }
      h.append("</p>\n");
    }
  }

  /** Escapes text for HTML element content and attribute values. */
  static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  private static StringBuilder head(String title, LoadReport r) {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
        .append(esc(title))
        .append("</title>\n<style>")
        .append(CSS)
        .append("</style>\n</head>\n<body>\n");
    h.append("<h1>").append(esc(title)).append("</h1>\n");
    if (r != null) {
      h.append("<p class=\"note\">").append(esc(JsonReport.rfc3339(r.date()))).append("</p>\n");
    }
    return h;
  }

  private static void row(StringBuilder h, String name, String value) {
    h.append("<tr><th class=\"l\">")
        .append(esc(name))
        .append("</th><td>")
        .append(esc(value))
        .append("</td></tr>\n");
  }

  private static void distribution(
      StringBuilder h, String title, String key, Map<String, Long> counts) {
    h.append("<h2>")
        .append(esc(title))
        .append("</h2>\n<table>\n<tr><th class=\"l\">")
        .append(key)
        .append("</th><th>calls</th></tr>\n");
    counts.forEach(
        (k, v) ->
            h.append("<tr><td class=\"l\">")
                .append(esc(k))
                .append("</td><td>")
                .append(v)
                .append("</td></tr>\n"));
    h.append("</table>\n");
  }

  private static void server(StringBuilder h, ServerStats s) {
    h.append("<h2>Server statistics (ModelStatistics, after - before)</h2>\n");
    if (s == null) {
      h.append("<p class=\"note\">Not offered by the server.</p>\n");
      return;
    }
    h.append("<table>\n");
    row(h, "Inferences", Long.toString(s.inferenceCount()));
    row(h, "Executions", Long.toString(s.executionCount()));
    row(h, "Avg batch size", String.format(Locale.ROOT, "%.2f", s.averageBatchSize()));
    row(h, "Avg queue time", format(s.averageQueueTime()));
    row(h, "Avg compute time", format(s.averageComputeTime()));
    row(h, "Avg compute input", format(s.averageComputeInputTime()));
    row(h, "Avg compute infer", format(s.averageComputeInferTime()));
    row(h, "Avg compute output", format(s.averageComputeOutputTime()));
    h.append("</table>\n");
  }

  private static void finish(StringBuilder h, String json, Writer out) throws IOException {
    // The JSON was written HTML-safe (<, >, & escaped), so it cannot close this element early.
    h.append("<script type=\"application/json\" id=\"report-data\">")
        .append(json)
        .append("</script>\n");
    h.append("</body>\n</html>\n");
    out.write(h.toString());
    out.flush();
  }
}
