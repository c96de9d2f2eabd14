package io.ringserve.server.internal.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.batching.ModelStatistics;
import io.ringserve.batching.ModelStatistics.BatchStatistics;
import io.ringserve.batching.ModelStatistics.StatDuration;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MetricsServerTest {
  private static final String M1 = "{model=\"m\",version=\"1\"}";

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<ModelSource> models = new CopyOnWriteArrayList<>();
  private final List<MetricsServer> servers = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeServers() {
    servers.forEach(MetricsServer::close);
  }

  /**
   * Figures where every metric has its own value: 12 rows in 4 executions (batch sizes 1, 1, 3 and
   * 7), and durations that are not whole microseconds, to show they are rounded down.
   */
  private static ModelStatistics sample() {
    TreeMap<Long, BatchStatistics> batches = new TreeMap<>();
    batches.put(1L, batch(1, 2));
    batches.put(3L, batch(3, 1));
    batches.put(7L, batch(7, 1));
    return new ModelStatistics(
        1_700_000_000_000L,
        12,
        4,
        new StatDuration(9, 5_000_000),
        new StatDuration(2, 777_000),
        new StatDuration(9, 1_234_567),
        new StatDuration(9, 300_000),
        new StatDuration(9, 2_500_999),
        new StatDuration(9, 400_000),
        batches);
  }

  private static BatchStatistics batch(long size, long executions) {
    StatDuration d = new StatDuration(executions, executions * 1_000);
    return new BatchStatistics(size, d, d, d);
  }

  private static ModelStatistics empty() {
    return new ModelStatistics(
        0,
        0,
        0,
        StatDuration.ZERO,
        StatDuration.ZERO,
        StatDuration.ZERO,
        StatDuration.ZERO,
        StatDuration.ZERO,
        StatDuration.ZERO,
        new TreeMap<>());
  }

  private MetricsServer start() throws IOException {
    MetricsServer server = MetricsServer.start("127.0.0.1", 0, () -> models);
    servers.add(server);
    return server;
  }

  private String scrapeBody(MetricsServer server) throws IOException, InterruptedException {
    return scrapeBody(server, "text/plain");
  }

  private String scrapeBody(MetricsServer server, String accept)
      throws IOException, InterruptedException {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                .header("Accept", accept)
                .timeout(Duration.ofSeconds(10))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return response.body();
  }

  private PrometheusText scrape(MetricsServer server) throws IOException, InterruptedException {
    return PrometheusText.parse(scrapeBody(server));
  }

  @Test
  void shouldExposeCumulativeFiguresUnderTritonNamesWithoutTotalSuffix() throws Exception {
    models.add(new ModelSource("m", "1", new FixedStatisticsScheduler(sample(), 0)));
    String body = scrapeBody(start());

    assertTrue(body.contains("\nnv_inference_count" + M1 + " 12.0\n"), body);
    assertTrue(body.contains("\nnv_inference_exec_count" + M1 + " 4.0\n"), body);
    assertTrue(body.contains("\nnv_inference_request_success" + M1 + " 9.0\n"), body);
    assertTrue(body.contains("\nnv_inference_request_failure" + M1 + " 2.0\n"), body);
    assertTrue(body.contains("# TYPE nv_inference_count untyped\n"), body);
    assertFalse(body.contains("nv_inference_count_total"), body);
    assertFalse(body.contains("nv_inference_request_success_total"), body);
  }

  @Test
  void shouldKeepTritonNamesWhenPrometheusNegotiatesOpenMetrics() throws Exception {
    models.add(new ModelSource("m", "1", new FixedStatisticsScheduler(sample(), 0)));
    // What a Prometheus server sends by default: it prefers OpenMetrics, where counters must end
    // in _total, so the names survive only because the figures are not typed as counters.
    String body =
        scrapeBody(
            start(),
            "application/openmetrics-text;version=1.0.0;q=0.5,"
                + "text/plain;version=0.0.4;q=0.4,*/*;q=0.1");

    assertTrue(body.contains("# TYPE nv_inference_count unknown\n"), body);
    assertTrue(body.contains("\nnv_inference_count" + M1 + " 12.0\n"), body);
    assertFalse(body.contains("nv_inference_count_total"), body);
  }

  @Test
  void shouldReportDurationsInWholeMicroseconds() throws Exception {
    models.add(new ModelSource("m", "1", new FixedStatisticsScheduler(sample(), 0)));
    PrometheusText text = scrape(start());

    assertEquals(5_000.0, text.value("nv_inference_request_duration_us" + M1));
    assertEquals(1_234.0, text.value("nv_inference_queue_duration_us" + M1));
    assertEquals(300.0, text.value("nv_inference_compute_input_duration_us" + M1));
    assertEquals(2_500.0, text.value("nv_inference_compute_infer_duration_us" + M1));
    assertEquals(400.0, text.value("nv_inference_compute_output_duration_us" + M1));
  }

  @Test
  void shouldReportPendingRequestsAsGauge() throws Exception {
    models.add(new ModelSource("m", "1", new FixedStatisticsScheduler(sample(), 5)));
    PrometheusText text = scrape(start());

    assertEquals(5.0, text.value("nv_inference_pending_request_count" + M1));
    assertTrue(text.body().contains("# TYPE nv_inference_pending_request_count gauge\n"));
  }

  @Test
  void shouldExposeBatchSizesAsCumulativeHistogram() throws Exception {
    models.add(new ModelSource("m", "1", new FixedStatisticsScheduler(sample(), 0)));
    PrometheusText text = scrape(start());

    String bucket = "ringserve_inference_batch_size_bucket{model=\"m\",version=\"1\",le=\"%s\"}";
    // Batch sizes 1 (×2), 3 and 7: cumulative counts per upper bound.
    double[] expected = {2, 2, 3, 4, 4, 4, 4, 4, 4, 4};
    String[] bounds = {
      "1.0", "2.0", "4.0", "8.0", "16.0", "32.0", "64.0", "128.0", "256.0", "+Inf"
    };
    for (int i = 0; i < bounds.length; i++) {
      assertEquals(expected[i], text.value(bucket.formatted(bounds[i])), "bucket le=" + bounds[i]);
    }
    assertEquals(4.0, text.value("ringserve_inference_batch_size_count" + M1));
    assertEquals(12.0, text.value("ringserve_inference_batch_size_sum" + M1));
    assertTrue(text.body().contains("# TYPE ringserve_inference_batch_size histogram\n"));
  }

  @Test
  void shouldIncludeJvmMetrics() throws Exception {
    PrometheusText text = scrape(start());

    assertTrue(text.hasSample("jvm_memory_used_bytes"), text.body());
    assertTrue(text.hasSample("jvm_threads_current"), text.body());
  }

  @Test
  void shouldExportTheProcessCpuMemoryAndFilesUnderPrometheusProcessNames() throws Exception {
    MetricsServer server = start();
    double before = scrape(server).value("process_cpu_seconds_total");
    // 300 ms of this thread's CPU (however busy the machine): the process's counter grows as much.
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long target = threads.getCurrentThreadCpuTime() + 300_000_000L;
    long wallLimit = System.nanoTime() + 30_000_000_000L;
    long spin = 0;
    while (threads.getCurrentThreadCpuTime() < target && System.nanoTime() < wallLimit) {
      spin += Long.numberOfTrailingZeros(spin + System.nanoTime());
    }

    PrometheusText text = scrape(server);

    assertTrue(spin >= 0);
    double after = text.value("process_cpu_seconds_total");
    assertTrue(after - before >= 0.29, "CPU seconds " + before + " then " + after);
    assertTrue(text.body().contains("# TYPE process_cpu_seconds_total counter"), text.body());
    assertTrue(text.value("process_resident_memory_bytes") > 1 << 20, text.body());
    assertTrue(text.value("process_open_fds") > 0, text.body());
    double started = text.value("process_start_time_seconds");
    double now = System.currentTimeMillis() / 1e3;
    assertTrue(started <= now && started > now - 3600, "started at " + started + ", now " + now);
  }

  @Test
  void shouldWriteOnlyWellFormedTextFormatLines() throws Exception {
    models.add(new ModelSource("m", "1", new FixedStatisticsScheduler(sample(), 3)));
    models.add(new ModelSource("quoted \"name\"", "2", new FixedStatisticsScheduler(empty(), 0)));
    ModelStatistics longRunning =
        new ModelStatistics(
            0,
            1,
            1,
            new StatDuration(1, 12_345_678_901_000L),
            StatDuration.ZERO,
            StatDuration.ZERO,
            StatDuration.ZERO,
            StatDuration.ZERO,
            StatDuration.ZERO,
            new TreeMap<>());
    models.add(new ModelSource("long", "1", new FixedStatisticsScheduler(longRunning, 0)));

    // PrometheusText.parse fails on any line outside the grammar.
    PrometheusText text = scrape(start());

    assertEquals(
        0.0,
        text.value("nv_inference_count{model=\"quoted \\\"name\\\"\",version=\"2\"}"),
        text.body());
    // Large values come out in exponent notation (1.2345678901E10), which the format allows.
    assertEquals(
        12_345_678_901.0,
        text.value("nv_inference_request_duration_us{model=\"long\",version=\"1\"}"),
        text.body());
  }

  @Test
  void shouldReadStatisticsAtScrapeTime() throws Exception {
    FixedStatisticsScheduler scheduler = new FixedStatisticsScheduler(empty(), 0);
    models.add(new ModelSource("m", "1", scheduler));
    MetricsServer server = start();
    assertEquals(0.0, scrape(server).value("nv_inference_count" + M1));

    scheduler.set(sample(), 2);
    models.add(new ModelSource("late", "3", new FixedStatisticsScheduler(sample(), 0)));
    PrometheusText text = scrape(server);

    assertEquals(12.0, text.value("nv_inference_count" + M1));
    assertEquals(2.0, text.value("nv_inference_pending_request_count" + M1));
    assertEquals(12.0, text.value("nv_inference_count{model=\"late\",version=\"3\"}"));
  }

  @Test
  void shouldKeepOtherModelsWhenOneSchedulerFails() throws Exception {
    FixedStatisticsScheduler broken = new FixedStatisticsScheduler(empty(), 0);
    broken.failWith(new IllegalStateException("scheduler is gone"));
    models.add(new ModelSource("broken", "1", broken));
    models.add(new ModelSource("m", "1", new FixedStatisticsScheduler(sample(), 0)));

    PrometheusText text = scrape(start());

    assertEquals(12.0, text.value("nv_inference_count" + M1));
    assertNull(text.value("nv_inference_count{model=\"broken\",version=\"1\"}"));
    assertTrue(text.hasSample("jvm_memory_used_bytes"));
  }

  @Test
  void shouldRunSeveralServersWithSeparateRegistries() throws Exception {
    models.add(new ModelSource("m", "1", new FixedStatisticsScheduler(sample(), 0)));
    MetricsServer first = start();
    MetricsServer second =
        MetricsServer.start(
            "127.0.0.1",
            0,
            () ->
                List.of(new ModelSource("other", "7", new FixedStatisticsScheduler(sample(), 0))));
    servers.add(second);

    assertNotEquals(first.port(), second.port());
    PrometheusText one = scrape(first);
    PrometheusText two = scrape(second);
    assertEquals(12.0, one.value("nv_inference_count" + M1));
    assertNull(one.value("nv_inference_count{model=\"other\",version=\"7\"}"));
    assertEquals(12.0, two.value("nv_inference_count{model=\"other\",version=\"7\"}"));
    assertNull(two.value("nv_inference_count" + M1));
  }

  @Test
  void shouldAnswerNotFoundEverywhereButMetrics() throws Exception {
    MetricsServer server = start();
    for (String path : List.of("/", "/v2/health/ready", "/v2/health/live", "/-/healthy", "/x")) {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(404, response.statusCode(), path);
    }
    scrapeBody(server);
  }

  @Test
  void shouldScrapeWhileClientsHoldHalfSentRequestsAndCloseThemAtTheRequestTimeout()
      throws Exception {
    MetricsServer server = start();
    scrapeBody(server); // the first scrape of a JVM is slow: not what is measured here
    List<Socket> slow = new ArrayList<>();
    try {
      // Slowloris: each sends half a request line and waits (on the JDK's HTTP server, ten
      // of these blocked every scrape for as long as they were held).
      for (int i = 0; i < 50; i++) {
        Socket s = new Socket("127.0.0.1", server.port());
        s.getOutputStream().write("GET /metr".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        slow.add(s);
      }
      long start = System.nanoTime();

      scrapeBody(server);

      assertTrue(System.nanoTime() - start < 5_000_000_000L, "a scrape is not kept waiting");
      Socket first = slow.get(0);
      first.setSoTimeout((ScrapeHandler.REQUEST_TIMEOUT_SECONDS + 10) * 1000);
      assertEquals(-1, first.getInputStream().read(), "closed at the request timeout");
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
  }

  @Test
  void shouldBindEphemeralPortAndReleaseItOnClose() throws Exception {
    MetricsServer server = start();
    int port = server.port();
    assertTrue(port > 0);

    server.close();
    server.close();

    assertThrows(
        IOException.class,
        () ->
            client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString()));
  }

  @Test
  void shouldRejectPortOutOfRange() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> MetricsServer.start("127.0.0.1", 70000, List::of));
    assertTrue(e.getMessage().contains("port"), e.getMessage());
  }

  @Test
  void shouldRejectModelSourceWithoutName() {
    FixedStatisticsScheduler scheduler = new FixedStatisticsScheduler(empty(), 0);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new ModelSource("", "1", scheduler));
    assertTrue(e.getMessage().contains("model"), e.getMessage());
    NullPointerException n =
        assertThrows(NullPointerException.class, () -> new ModelSource("m", "1", null));
    assertEquals("scheduler", n.getMessage());
  }
}
