package io.ringserve.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inference.GrpcService.InferStatistics;
import io.ringserve.client.InferRequest;
import io.ringserve.client.RingServeClient;
import io.ringserve.client.Tensor;
import io.ringserve.server.internal.metrics.MetricsServer;
import io.ringserve.server.testing.ExampleRepository;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The prometheus-adapter rule the autoscaler reads ({@code deploy/prometheus-adapter/values.yaml})
 * names metrics and labels the server exports, and its formula, computed from two scrapes around a
 * burst of load, gives the mean queue time per request that ModelStatistics reports.
 */
class PrometheusAdapterRuleTest {
  /** The rule's shape: delta(QUEUE{..}[W]) / (1 + delta(SUCCESS{..}[W])), averaged by pod. */
  private static final Pattern FORMULA =
      Pattern.compile(
          "avg\\(delta\\((\\w+)\\{<<\\.LabelMatchers>>}\\[30s]\\)"
              + "/\\(1\\+delta\\((\\w+)\\{<<\\.LabelMatchers>>}\\[30s]\\)\\)\\) by \\(<<\\.GroupBy>>\\)");

  private static final Pattern SAMPLE = Pattern.compile("^(\\w+)\\{([^}]*)} (\\S+)$");
  private static final String SERIES = "model=\"mlp\",version=\"1\"";

  @Test
  void ruleFormulaFromTwoScrapesIsTheMeanQueueTimeModelStatisticsReports() throws Exception {
    JsonNode rule = rule();
    assertEquals(chartMetricName(), rule.path("name").path("as").asString());
    Matcher formula = FORMULA.matcher(rule.path("metricsQuery").asString());
    assertTrue(formula.matches(), () -> "unexpected rule " + rule.path("metricsQuery"));
    String queue = formula.group(1);
    String success = formula.group(2);
    assertTrue(rule.path("seriesQuery").asString().startsWith(queue + "{"));

    try (TestServer server = TestServers.loopback(ExampleRepository.only("mlp"));
        MetricsServer metrics =
            MetricsServer.start(TestServer.HOST, 0, server.server().repository());
        RingServeClient client =
            RingServeClient.builder()
                .target(server.target())
                .defaultDeadline(Duration.ofSeconds(10))
                .build()) {
      long initial = stats(client).getSuccess().getCount();
      // Warm up: first runs are slow and not what we measure.
      long warm = load(client, Duration.ofMillis(500));
      awaitSuccesses(client, initial + warm);
      Map<String, Double> first = scrape(metrics.port());
      InferStatistics before = stats(client);
      long requests = load(client, Duration.ofSeconds(2));
      awaitSuccesses(client, before.getSuccess().getCount() + requests);
      Map<String, Double> second = scrape(metrics.port());
      InferStatistics after = stats(client);

      for (String name : List.of(queue, success)) {
        assertTrue(
            second.containsKey(name + "{" + SERIES + "}"),
            () -> name + " with labels " + SERIES + " not in /metrics: " + second.keySet());
      }
      double deltaQueueUs = delta(first, second, queue);
      double deltaSuccess = delta(first, second, success);
      assertEquals(requests, (long) deltaSuccess, "successful requests between the scrapes");
      double ruleMeanUs = deltaQueueUs / (1 + deltaSuccess);

      long queued = after.getQueue().getCount() - before.getQueue().getCount();
      double statisticsMeanUs =
          (after.getQueue().getNs() - before.getQueue().getNs()) / 1000.0 / queued;
      assertEquals(requests, queued, "requests ModelStatistics counted between the scrapes");
      assertTrue(statisticsMeanUs > 0, "no queue time under load");
      assertEquals(
          statisticsMeanUs,
          ruleMeanUs,
          statisticsMeanUs * 0.10,
          () -> "rule " + ruleMeanUs + " us, ModelStatistics " + statisticsMeanUs + " us");
    }
  }

  /** Eight callers on mlp for the given time, then all done; the number of requests answered. */
  private static long load(RingServeClient client, Duration duration) throws Exception {
    InferRequest request =
        InferRequest.builder("mlp").input(Tensor.of("INPUT0", new float[784], 1, 784)).build();
    AtomicLong answered = new AtomicLong();
    long end = System.nanoTime() + duration.toNanos();
    ExecutorService callers = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        futures.add(
            callers.submit(
                () -> {
                  while (System.nanoTime() < end) {
                    client.infer(request);
                    answered.incrementAndGet();
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(duration.toMillis() + 30_000, TimeUnit.MILLISECONDS);
      }
    } finally {
      callers.shutdownNow();
    }
    return answered.get();
  }

  /**
   * Waits until the server has counted {@code count} successes: it counts each just after the
   * answer leaves, so a scrape taken the moment the last caller returns may miss the last few.
   */
  private static void awaitSuccesses(RingServeClient client, long count) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (stats(client).getSuccess().getCount() < count && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  private static InferStatistics stats(RingServeClient client) {
    return client.modelStatistics("mlp", "1").getModelStats(0).getInferenceStats();
  }

  private static double delta(Map<String, Double> first, Map<String, Double> second, String name) {
    String key = name + "{" + SERIES + "}";
    return second.get(key) - first.getOrDefault(key, 0.0);
  }

  /** Every sample of a scrape, keyed {@code name{labels}}. */
  private static Map<String, Double> scrape(int port) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    Map<String, Double> samples = new HashMap<>();
    for (String line : response.body().split("\n")) {
      Matcher m = SAMPLE.matcher(line);
      if (m.matches()) {
        samples.put(m.group(1) + "{" + m.group(2) + "}", Double.parseDouble(m.group(3)));
      }
    }
    return samples;
  }

  private static JsonNode rule() throws Exception {
    JsonNode values =
        StrictManifests.documents(
                Files.readString(DeployFiles.deployDir().resolve("prometheus-adapter/values.yaml")))
            .get(0);
    JsonNode custom = values.path("rules").path("custom");
    assertEquals(1, custom.size());
    return custom.get(0);
  }

  private static String chartMetricName() throws Exception {
    JsonNode values =
        StrictManifests.documents(Files.readString(DeployFiles.chart().resolve("values.yaml")))
            .get(0);
    return values.path("autoscaling").path("metricName").asString();
  }
}
