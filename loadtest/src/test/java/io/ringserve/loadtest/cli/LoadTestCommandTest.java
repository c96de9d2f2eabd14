package io.ringserve.loadtest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.ringserve.loadtest.Target;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class LoadTestCommandTest {
  /** The JVM's shared server over the example models. */
  private final Target target = Target.of(TestServer.HOST, TestServers.shared().port());

  /** What one command line printed and returned. */
  private record Result(int status, String out, String err) {}

  private static Result run(Target target, String... args) {
    String[] full =
        Stream.concat(
                Stream.of("--host", target.host(), "--port", Integer.toString(target.port())),
                Stream.of(args))
            .toArray(String[]::new);
    return runRaw(full);
  }

  private static Result runRaw(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status =
        LoadTestCommand.execute(
            args, new PrintWriter(out, true), new PrintWriter(err, true), false);
    return new Result(status, out.toString(), err.toString());
  }

  @Test
  void shouldLoadTheRestPortWithDashIHttp() {
    Target http = Target.of(TestServer.HOST, TestServers.shared().httpPort());
    Result r = run(http, "-i", "http", "-m", "simple", "-c", "2", "-n", "50", "-O", "json");

    assertEquals(0, r.status(), r.err());
    JsonObject json = JsonParser.parseString(r.out()).getAsJsonObject();
    assertEquals(50, json.getAsJsonObject("statusCodeDistribution").get("OK").getAsLong());
    assertEquals("http", json.getAsJsonObject("options").get("protocol").getAsString());
    assertEquals(50, json.getAsJsonObject("server").get("inferenceCount").getAsLong(), r.out());
  }

  @Test
  void shouldWriteJsonWithGhzFieldsAndServerStatistics() {
    Result r = run(target, "-m", "simple", "-c", "2", "-n", "100", "-O", "json");

    assertEquals(0, r.status(), r.err());
    JsonObject json = JsonParser.parseString(r.out()).getAsJsonObject();
    for (String field :
        List.of(
            "date",
            "endReason",
            "options",
            "count",
            "total",
            "average",
            "fastest",
            "slowest",
            "rps",
            "histogram",
            "latencyDistribution",
            "statusCodeDistribution",
            "errorDistribution",
            "server",
            "timeSeries")) {
      assertTrue(json.has(field), "missing " + field + " in " + r.out());
    }
    assertEquals(100, json.get("count").getAsLong());
    assertEquals(100, json.getAsJsonObject("statusCodeDistribution").get("OK").getAsLong());
    assertEquals(
        "inference.GRPCInferenceService/ModelInfer",
        json.getAsJsonObject("options").get("call").getAsString());
    JsonArray percentiles = json.getAsJsonArray("latencyDistribution");
    assertEquals(8, percentiles.size());
    assertEquals(10, percentiles.get(0).getAsJsonObject().get("percentage").getAsInt());
    assertEquals(99.9, percentiles.get(7).getAsJsonObject().get("percentage").getAsDouble());
    assertTrue(percentiles.get(2).getAsJsonObject().get("latency").getAsLong() > 0);
    JsonObject server = json.getAsJsonObject("server");
    assertEquals(100, server.get("inferenceCount").getAsLong());
    for (String field :
        List.of("executionCount", "averageBatchSize", "averageQueueTime", "averageComputeTime")) {
      assertTrue(server.has(field), "missing server." + field);
    }
    long bucketed = 0;
    for (var b : json.getAsJsonArray("histogram")) {
      bucketed += b.getAsJsonObject().get("count").getAsLong();
    }
    assertEquals(100, bucketed);
  }

  @Test
  void shouldWriteOneSelfContainedHtmlFileWithTheChartData(@TempDir Path dir) throws IOException {
    Path html = dir.resolve("report.html");

    Result r = run(target, "-m", "mlp", "-c", "4", "-z", "1s", "-O", "html", "-o", html.toString());

    assertEquals(0, r.status(), r.err());
    assertEquals("", r.out(), "the report goes to the file only");
    assertEquals(List.of(html), Files.list(dir).toList());
    String page = Files.readString(html);
    String lower = page.toLowerCase(Locale.ROOT);
    for (String external :
        List.of("http:", "https:", "src=", "href=", "@import", "url(", "//cdn")) {
      assertFalse(lower.contains(external), "external reference '" + external + "'");
    }
    assertTrue(page.contains("<svg"), "inline charts");
    Matcher data =
        Pattern.compile(
                "<script type=\"application/json\" id=\"report-data\">(.*?)</script>",
                Pattern.DOTALL)
            .matcher(page);
    assertTrue(data.find(), "embedded report data");
    JsonObject json = JsonParser.parseString(data.group(1)).getAsJsonObject();
    assertFalse(json.getAsJsonArray("histogram").isEmpty());
    assertFalse(json.getAsJsonArray("timeSeries").isEmpty());
    assertTrue(json.get("count").getAsLong() > 0);
  }

  @Test
  void shouldWriteASweepAsATableAndCsvAndHtml(@TempDir Path dir) throws IOException {
    Result summary = run(target, "-m", "simple", "--concurrency-range", "1:2:2", "-n", "30");
    Result csv =
        run(target, "-m", "simple", "--concurrency-range", "1:4:*2", "-n", "30", "-O", "csv");
    Path html = dir.resolve("sweep.html");
    Result page =
        run(
            target,
            "-m",
            "simple",
            "--concurrency-range",
            "1:2",
            "-n",
            "30",
            "-O",
            "html",
            "-o",
            html.toString());

    assertEquals(0, summary.status(), summary.err());
    assertTrue(summary.out().contains("Concurrency"), summary.out());
    assertEquals(0, csv.status(), csv.err());
    List<String> lines = csv.out().lines().toList();
    assertEquals(4, lines.size(), csv.out());
    assertTrue(lines.get(0).startsWith("concurrency,"));
    assertTrue(lines.get(3).startsWith("4,"));
    assertEquals(0, page.status(), page.err());
    String text = Files.readString(html);
    assertTrue(text.contains("Throughput vs latency"));
    assertTrue(text.contains("\"levels\""));
  }

  @Test
  void shouldPrintTheGhzSummary() {
    Result r = run(target, "-m", "simple", "-n", "20", "--warmup", "10");

    assertEquals(0, r.status(), r.err());
    for (String section :
        List.of(
            "Summary:",
            "Count:",
            "Requests/sec:",
            "Response time histogram:",
            "Latency distribution:",
            "99.9 % in",
            "Status code distribution:",
            "[OK]",
            "Server statistics")) {
      assertTrue(r.out().contains(section), "missing '" + section + "' in\n" + r.out());
    }
    assertEquals("", r.err(), "quiet when no terminal");
  }

  @Test
  void shouldSayInOneLineThatTheServerIsUnreachable() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }

    Result r = runRaw("--port", Integer.toString(port), "-m", "simple", "-n", "1");

    assertEquals(1, r.status());
    assertOneLine(r.err(), "cannot reach a server at 127.0.0.1:" + port);
  }

  @Test
  void shouldSayInOneLineThatTheModelIsNotFound() {
    Result r = run(target, "-m", "no_such_model", "-n", "1");

    assertEquals(1, r.status());
    assertOneLine(r.err(), "model 'no_such_model' not found");
  }

  @Test
  void shouldSayInOneLineWhatIsWrongWithAShape() {
    Result unknown = run(target, "-m", "simple", "-n", "1", "--shape", "INPUT9:16");
    Result fixed = run(target, "-m", "simple", "-n", "1", "--shape", "INPUT0:8");
    Result malformed = run(target, "-m", "simple", "-n", "1", "--shape", "INPUT0:x");

    assertEquals(1, unknown.status());
    assertOneLine(unknown.err(), "has no input named INPUT9");
    assertEquals(1, fixed.status());
    assertOneLine(fixed.err(), "dimension 0 is fixed at 16");
    assertEquals(2, malformed.status());
    assertOneLine(malformed.err(), "'x' is not a whole number");
  }

  @Test
  void shouldSayInOneLineWhatIsWrongWithADataFile(@TempDir Path dir) throws IOException {
    Path missing = dir.resolve("missing.json");
    Files.writeString(missing, "{\"INPUT0\": [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]}");
    Path broken = dir.resolve("broken.json");
    Files.writeString(broken, "{\"INPUT0\": [1, 2");
    Path shortRow = dir.resolve("short.json");
    Files.writeString(shortRow, "{\"INPUT0\": [1, 2], \"INPUT1\": [1, 2]}");

    Result r1 = run(target, "-m", "simple", "-n", "1", "--data", missing.toString());
    Result r2 = run(target, "-m", "simple", "-n", "1", "--data", broken.toString());
    Result r3 = run(target, "-m", "simple", "-n", "1", "--data", shortRow.toString());

    assertEquals(1, r1.status());
    assertOneLine(r1.err(), "sample 1 lacks input INPUT1");
    assertEquals(1, r2.status());
    assertOneLine(r2.err(), "not valid JSON");
    assertEquals(1, r3.status());
    assertOneLine(r3.err(), "has 2 value(s); its shape [16] needs 16");
  }

  @Test
  void shouldTakeTheOptionNamesOfRingserveInferAndPerfAnalyzer() {
    Result ok =
        runRaw(
            "-u",
            target.host() + ":" + target.port(),
            "--timeout",
            "5s",
            "-m",
            "simple",
            "-n",
            "5");
    Result shape =
        runRaw("-u", target.host() + ":" + target.port(), "-m", "simple", "--shape", "INPUT9=16");
    Result badUrl = runRaw("-u", "localhost", "-m", "simple", "-n", "1");

    assertEquals(0, ok.status(), ok.err());
    assertTrue(ok.out().contains("[OK]\t5 responses"), ok.out());
    assertEquals(1, shape.status());
    assertOneLine(shape.err(), "has no input named INPUT9");
    assertEquals(2, badUrl.status());
    assertOneLine(badUrl.err(), "must be HOST:PORT");
  }

  @Test
  void shouldDocumentTheExitStatusAndTheErrorRateLimitInHelp() {
    Result help = runRaw("--help");
    Result badRate = runRaw("-m", "simple", "--max-error-rate", "150%");

    assertEquals(0, help.status());
    assertTrue(help.out().contains("--max-error-rate"), help.out());
    assertTrue(help.out().contains("Exit status:"), help.out());
    assertTrue(help.out().contains("more calls failed than --max-error-rate"), help.out());
    assertEquals(2, badRate.status());
    assertOneLine(badRate.err(), "must be a fraction from 0 to 1");
  }

  @Test
  void shouldRefuseASweepInOpenLoop() {
    Result r = run(target, "-m", "simple", "--rps", "10", "--concurrency-range", "1:4:2");

    assertEquals(2, r.status());
    assertOneLine(r.err(), "cannot be combined with --rps");
  }

  private static void assertOneLine(String err, String expected) {
    assertEquals(1, err.lines().count(), "one line: " + err);
    assertTrue(err.startsWith("ringserve-loadtest: "), err);
    assertTrue(err.contains(expected), "expected '" + expected + "' in: " + err);
  }
}
