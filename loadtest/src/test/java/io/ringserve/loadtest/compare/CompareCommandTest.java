package io.ringserve.loadtest.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringserve.server.testing.ExampleRepository;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The out-of-process comparison with tiny durations: it starts the packaged server and the echo in
 * JVMs of their own, reads both processes' CPU, and reports every figure with its spread. Needs
 * {@code server/target/ringserve-server.jar}, which the reactor packages before this module's
 * tests.
 */
@Timeout(180)
class CompareCommandTest {
  private static final Path SERVER_JAR = Path.of("..", "server", "target", "ringserve-server.jar");

  @Test
  void shouldCompareTheServerWithTheEchoInSeparateProcesses(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isRegularFile(SERVER_JAR), "the server jar is packaged by the reactor");
    Path table = dir.resolve("compare.md");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int status =
        CompareCommand.execute(
            new String[] {
              "--server-jar",
              SERVER_JAR.toString(),
              "--server-arg=--model-repository=" + ExampleRepository.only("simple", "mlp"),
              "--case",
              "simple-c32,mlp-c64,mlp-c1",
              "--rounds",
              "2",
              "-z",
              "300ms",
              "--warmup",
              "200ms",
              "--initial-warmup",
              "400ms",
              "--engine-duration",
              "300ms",
              "-o",
              table.toString()
            },
            new PrintWriter(out, true),
            new PrintWriter(err, true));

    assertEquals(0, status, err + "\n" + out);
    String md = Files.readString(table);
    System.out.println(md);
    for (String load : new String[] {"simple-c32", "simple-c32 echo"}) {
      Matcher cpu =
          Pattern.compile(
                  "\\| " + Pattern.quote(load) + " \\| server CPU us/request \\| ([0-9.]+) \\|")
              .matcher(md);
      assertTrue(cpu.find(), "server CPU of " + load + " in\n" + md);
      assertTrue(Double.parseDouble(cpu.group(1)) > 0, md);
      assertTrue(md.contains("| " + load + " | client CPU us/request |"), md);
      assertTrue(md.contains("| " + load + " | requests/s (OK) |"), md);
    }
    assertTrue(md.contains("| simple-c32 | avg batch formed |"), md);
    assertTrue(
        md.contains("| simple-c32 echo, minimal client | client CPU us/request |"),
        "the yardstick of the client's cost: " + md);
    assertTrue(md.matches("(?s).*\\| simple-c32 \\| [0-9.]+x \\| [0-9.]+x \\| [0-9.]+x \\|.*"), md);
    // The engine alone, at the batch the server formed, and the acceptance figures built on it.
    assertTrue(positive(md, "simple-c32 \\| CPU us/sample") > 0, md);
    assertEquals(1.0, positive(md, "mlp-c1 \\| batch size"), md);
    assertTrue(positive(md, "mlp-c1 \\| median us/run") > 0, md);
    assertTrue(
        md.contains(
            "| simple-c32 | (server CPU/request - engine CPU/sample at batch formed) / echo"
                + " CPU/request | "),
        md);
    assertTrue(md.contains("| simple-c32 | RingServe / echo requests/s | "), md);
    assertTrue(md.contains("| mlp-c1 | p50 latency - engine batch-1 median time, us | "), md);
    // mlp at c=64 against the echo of mlp's own payload (the echo mirrors RingServe's mlp).
    assertTrue(positive(md, "mlp-c64 echo \\| server CPU us/request") > 0, md);
    assertFalse(md.contains("| mlp-c64 echo, minimal client |"), "simple's requests only: " + md);
    assertTrue(md.matches("(?s).*\\| mlp-c64 \\| [0-9.]+x \\| [0-9.]+x \\| - \\|.*"), md);
    assertTrue(
        md.contains(
            "| mlp-c64 | (server CPU/inference - engine CPU/sample at batch formed) / echo"
                + " CPU/request (same payload) | "),
        md);
  }

  @Test
  void shouldReadAServerItDidNotStartFromItsProcessCpuMetric(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isRegularFile(SERVER_JAR), "the server jar is packaged by the reactor");
    int grpc = freePort();
    int http = freePort();
    int metrics = freePort();
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar",
            SERVER_JAR.toString(),
            "serve",
            "--grpc-port=" + grpc,
            "--http-port=" + http,
            "--metrics-port=" + metrics,
            "--host=127.0.0.1",
            "--model-repository=" + ExampleRepository.only("simple"));
    URI metricsUrl = URI.create("http://127.0.0.1:" + metrics + "/metrics");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    try (ChildJvm server = ChildJvm.start("remote", command, Map.of(), grpc, dir, 120_000)) {
      // The metrics port opens before the models load: wait for readiness, as a user would.
      long deadline = System.nanoTime() + 120_000_000_000L;
      HttpClient client = HttpClient.newHttpClient();
      while (!ready(client, http) && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      assertTrue(ready(client, http), "never ready; its output is in " + dir);
      assertTrue(scrapedCpu(metricsUrl) >= 0, "the metrics port answers once the server is ready");

      int status =
          CompareCommand.execute(
              new String[] {
                "-u",
                "127.0.0.1:" + grpc,
                "--metrics-url",
                metricsUrl.toString(),
                "--case",
                "simple-c32",
                "--rounds",
                "1",
                "-z",
                "500ms",
                "--warmup",
                "200ms",
                "--initial-warmup",
                "0s"
              },
              new PrintWriter(out, true),
              new PrintWriter(err, true));

      assertEquals(0, status, err + "\n" + out);
    }
    String md = out.toString();
    assertTrue(positive(md, "simple-c32 \\| server CPU us/request") > 0, md);
    assertFalse(md.contains("Engine alone"), "no local engine figures for a remote server: " + md);
  }

  @Test
  void shouldRefuseSlicesThatLeaveNoTimeToMeasure() {
    for (String[] args :
        List.of(new String[] {"--slices", "0"}, new String[] {"-z", "4ms", "--slices", "5"})) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();

      int status =
          CompareCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));

      assertEquals(2, status, String.join(" ", args) + ": " + err + out);
      assertTrue(err.toString().contains("--slices must be at least 1"), err.toString());
    }
  }

  private static boolean ready(HttpClient client, int http) throws InterruptedException {
    URI uri = URI.create("http://127.0.0.1:" + http + "/v2/health/ready");
    try {
      return client
              .send(
                  HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException notYet) {
      return false;
    }
  }

  private static long scrapedCpu(URI metricsUrl) throws InterruptedException {
    try {
      return ProcessCpu.fromMetrics(metricsUrl);
    } catch (IOException notYet) {
      return -1;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** The median of a row whose load and figure match {@code loadAndFigure} (a regex). */
  private static double positive(String md, String loadAndFigure) {
    Matcher m = Pattern.compile("\\| " + loadAndFigure + " \\| ([0-9.]+) \\|").matcher(md);
    assertTrue(m.find(), loadAndFigure + " in\n" + md);
    return Double.parseDouble(m.group(1));
  }

  @Test
  void shouldRefuseAUrlThatIsNotHostPortAsABadCommandLine() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status =
        CompareCommand.execute(
            new String[] {"-u", "localhost"},
            new PrintWriter(out, true),
            new PrintWriter(err, true));
    assertEquals(2, status, err + "\n" + out);
    assertTrue(err.toString().contains("'localhost' must be HOST:PORT"), err.toString());
  }

  @Test
  void shouldReadUserPlusSystemTimeFromProcStat() {
    String stat = "4242 (java (x) y) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 30 0 100 2000 300 0";

    assertEquals(3_000_000_000L, ProcessCpu.parseStat(stat));
  }

  @Test
  void shouldReadTheProcessCpuCounterFromPrometheusText() {
    String text = "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 12.5\n";

    assertEquals(12_500_000_000L, ProcessCpu.parseMetric(text));
    assertEquals(-1, ProcessCpu.parseMetric("nv_inference_count 3\n"));
  }
}
