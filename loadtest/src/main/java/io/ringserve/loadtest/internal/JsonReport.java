package io.ringserve.loadtest.internal;

import com.google.gson.stream.JsonWriter;
import io.ringserve.loadtest.LoadReport;
import io.ringserve.loadtest.LoadReport.Bucket;
import io.ringserve.loadtest.LoadReport.Percentile;
import io.ringserve.loadtest.LoadReport.TimePoint;
import io.ringserve.loadtest.LoadSpec;
import io.ringserve.loadtest.Protocol;
import io.ringserve.loadtest.ServerStats;
import io.ringserve.loadtest.SweepReport;
import io.ringserve.loadtest.Target;
import java.io.IOException;
import java.io.Writer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes reports as JSON with ghz's field names where they apply ({@code date}, {@code endReason},
 * {@code options}, {@code count}, {@code total}, {@code average}, {@code fastest}, {@code slowest},
 * {@code rps}, {@code errorDistribution}, {@code statusCodeDistribution}, {@code
 * latencyDistribution}, {@code histogram}); durations are integer nanoseconds and histogram marks
 * seconds, as in ghz. Added: {@code inferencesPerSecond}, {@code concurrency}, {@code server} (the
 * ModelStatistics delta) and {@code timeSeries}. A sweep is {@code {date, options, levels: [report,
 * ...]}}. ghz's per-call {@code details} are not kept. Stateless.
 */
public final class JsonReport {
  private JsonReport() {}

  /** Writes {@code report}; {@code indent} is "" for compact output. */
  public static void write(LoadReport report, Writer out, String indent) throws IOException {
    JsonWriter w = writer(out, indent);
    report(w, report, true);
    w.flush();
  }

  /** Writes a sweep. */
  public static void write(SweepReport sweep, Writer out, String indent) throws IOException {
    JsonWriter w = writer(out, indent);
    w.beginObject();
    w.name("date").value(rfc3339(sweep.date()));
    w.name("options");
    options(w, sweep.spec());
    w.name("levels").beginArray();
    for (LoadReport r : sweep.levels()) {
      report(w, r, false);
    }
    w.endArray();
    w.endObject();
    w.flush();
  }

  private static JsonWriter writer(Writer out, String indent) {
    JsonWriter w = new JsonWriter(out);
    w.setIndent(indent);
    w.setHtmlSafe(true); // the same JSON is embedded in the HTML report
    return w;
  }

  private static void report(JsonWriter w, LoadReport r, boolean withOptions) throws IOException {
    w.beginObject();
    w.name("date").value(rfc3339(r.date()));
    w.name("endReason").value(r.endReason());
    if (withOptions) {
      w.name("options");
      options(w, r.spec());
    }
    w.name("concurrency").value(r.concurrency());
    w.name("count").value(r.count());
    w.name("okCount").value(r.okCount());
    w.name("errorCount").value(r.errorCount());
    w.name("total").value(r.total().toNanos());
    w.name("average").value(r.average().toNanos());
    w.name("fastest").value(r.fastest().toNanos());
    w.name("slowest").value(r.slowest().toNanos());
    w.name("rps").value(r.rps());
    w.name("inferencesPerSecond").value(r.inferencesPerSecond());
    counts(w.name("errorDistribution"), r.errorDistribution());
    counts(w.name("statusCodeDistribution"), r.statusCodeDistribution());
    w.name("latencyDistribution").beginArray();
    for (Percentile p : r.latencyDistribution()) {
      w.beginObject();
      number(w.name("percentage"), p.percentage());
      w.name("latency").value(p.latency().toNanos());
      w.endObject();
    }
    w.endArray();
    w.name("histogram").beginArray();
    for (Bucket b : r.histogram()) {
      w.beginObject();
      w.name("mark").value(b.mark().toNanos() / 1e9);
      w.name("count").value(b.count());
      w.name("frequency").value(b.frequency());
      w.endObject();
    }
    w.endArray();
    w.name("server");
    server(w, r.server());
    w.name("timeSeries").beginArray();
    for (TimePoint p : r.timeSeries()) {
      w.beginObject();
      w.name("elapsed").value(p.elapsed().toNanos());
      w.name("count").value(p.count());
      w.name("errors").value(p.errors());
      w.name("rps").value(p.rps());
      w.name("mean").value(p.mean().toNanos());
      w.name("p50").value(p.p50().toNanos());
      w.name("p99").value(p.p99().toNanos());
      w.name("max").value(p.max().toNanos());
      w.endObject();
    }
    w.endArray();
    w.endObject();
  }

  private static void server(JsonWriter w, ServerStats s) throws IOException {
    if (s == null) {
      w.nullValue();
      return;
    }
    w.beginObject();
    w.name("inferenceCount").value(s.inferenceCount());
    w.name("executionCount").value(s.executionCount());
    w.name("successCount").value(s.successCount());
    w.name("failCount").value(s.failCount());
    w.name("averageBatchSize").value(s.averageBatchSize());
    w.name("averageQueueTime").value(s.averageQueueTime().toNanos());
    w.name("averageComputeTime").value(s.averageComputeTime().toNanos());
    w.name("averageComputeInputTime").value(s.averageComputeInputTime().toNanos());
    w.name("averageComputeInferTime").value(s.averageComputeInferTime().toNanos());
    w.name("averageComputeOutputTime").value(s.averageComputeOutputTime().toNanos());
    w.endObject();
  }

  /** ghz's {@code options} keys where they apply, then the load generator's own. */
  private static void options(JsonWriter w, LoadSpec s) throws IOException {
    Target t = s.target();
    w.beginObject();
    w.name("call")
        .value(
            s.protocol() == Protocol.HTTP
                ? "POST /v2/models/" + s.model() + "/infer"
                : "inference.GRPCInferenceService/"
                    + (s.stream() ? "ModelStreamInfer" : "ModelInfer"));
    w.name("host").value(t.address());
    w.name("insecure").value(!t.tls().enabled());
    if (t.tls().enabled()) {
      w.name("skipTLS").value(t.tls().skipVerify());
      if (t.tls().caCert() != null) {
        w.name("cacert").value(t.tls().caCert().toString());
      }
      if (t.tls().cert() != null) {
        w.name("cert").value(t.tls().cert().toString());
        w.name("key").value(t.tls().key().toString());
      }
    }
    if (t.authority() != null) {
      w.name("authority").value(t.authority());
    }
    if (s.isOpenLoop()) {
      w.name("rps").value(s.rps());
    } else {
      w.name("concurrency").value(s.concurrency());
    }
    if (s.total() > 0) {
      w.name("total").value(s.total());
    }
    w.name("connections").value(s.connections());
    if (!s.duration().isZero()) {
      w.name("duration").value(s.duration().toNanos());
    }
    w.name("timeout").value(t.deadline().toNanos());
    w.name("dial-timeout").value(t.connectTimeout().toNanos());
    if (!t.headers().isEmpty()) {
      w.name("metadata").beginObject();
      for (Map.Entry<String, String> e : t.headers().entrySet()) {
        w.name(e.getKey()).value(e.getValue());
      }
      w.endObject();
    }
    if (s.dataFile() != null) {
      w.name("data").value(s.dataFile().toString());
    }
    if (s.warmup().requests() > 0) {
      w.name("skipFirst").value(s.warmup().requests());
    }
    if (!s.warmup().duration().isZero()) {
      w.name("warmup").value(s.warmup().duration().toNanos());
    }
    w.name("model").value(s.model());
    w.name("model-version").value(s.modelVersion());
    w.name("batch-size").value(s.batchSize());
    if (!s.shapes().isEmpty()) {
      w.name("shape").beginObject();
      for (Map.Entry<String, List<Long>> e : s.shapes().entrySet()) {
        w.name(e.getKey()).beginArray();
        for (long d : e.getValue()) {
          w.value(d);
        }
        w.endArray();
      }
      w.endObject();
    }
    w.name("contents").value(s.contents().name().toLowerCase(Locale.ROOT));
    w.name("stream").value(s.stream());
    w.name("protocol").value(s.protocol().name().toLowerCase(Locale.ROOT));
    w.endObject();
  }

  private static void counts(JsonWriter w, Map<String, Long> counts) throws IOException {
    w.beginObject();
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      w.name(e.getKey()).value(e.getValue());
    }
    w.endObject();
  }

  /** Whole numbers as integers (ghz's percentages are ints), others as decimals. */
  private static void number(JsonWriter w, double value) throws IOException {
    if (value == Math.rint(value)) {
      w.value((long) value);
    } else {
      w.value(value);
    }
  }

  static String rfc3339(Instant instant) {
    return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(instant.atOffset(ZoneOffset.UTC));
  }
}
