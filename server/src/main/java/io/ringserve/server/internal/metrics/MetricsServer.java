package io.ringserve.server.internal.metrics;

import com.sun.net.httpserver.HttpExchange;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.ringserve.server.internal.repository.ModelRepository;
import io.ringserve.server.internal.repository.ServedModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The HTTP endpoint Prometheus scrapes, Triton's {@code --metrics-port}: {@code GET /metrics}
 * answers with the per-model metrics of {@link TritonMetricsCollector} and the JVM's own metrics
 * (memory, GC, threads, class loading, ...), in whichever of the Prometheus text, OpenMetrics text
 * or Prometheus protobuf formats the scraper asks for. Every other path answers 404.
 *
 * <p>Each server has a registry of its own, not the library's global default, so that several can
 * run in one JVM (tests do) and nothing else in the process can put metrics on this endpoint.
 *
 * <p>Cost: nothing on the inference path; a scrape reads each model's statistics once and the JVM's
 * MXBeans, on one of the HTTP server's own daemon threads. Thread-safe; {@link #close()} is
 * idempotent.
 */
public final class MetricsServer implements AutoCloseable {
  private final HTTPServer http;
  private final AtomicBoolean closed = new AtomicBoolean();

  private MetricsServer(HTTPServer http) {
    this.http = http;
  }

  /**
   * Starts serving the metrics of every model version {@code repository} serves at the time of each
   * scrape.
   *
   * @param host the address to bind, e.g. {@code 0.0.0.0} or {@code 127.0.0.1}
   * @param port the port to bind, or 0 for an ephemeral one (see {@link #port()})
   * @throws IOException if the port cannot be bound
   */
  public static MetricsServer start(String host, int port, ModelRepository repository)
      throws IOException {
    Objects.requireNonNull(repository, "repository");
    return startBeforeRepository(host, port, () -> repository);
  }

  /**
   * Starts serving before the model repository exists, so that a port in use stops the start before
   * any model loads and the endpoint answers by the time the server reports ready. Until {@code
   * repository} supplies one (null before), a scrape has the JVM's metrics and no model's.
   *
   * @param host the address to bind, e.g. {@code 0.0.0.0} or {@code 127.0.0.1}
   * @param port the port to bind, or 0 for an ephemeral one (see {@link #port()})
   * @param repository asked on every scrape, from the HTTP server's threads
   * @throws IOException if the port cannot be bound
   */
  public static MetricsServer startBeforeRepository(
      String host, int port, Supplier<ModelRepository> repository) throws IOException {
    Objects.requireNonNull(repository, "repository");
    return start(
        host,
        port,
        () -> {
          ModelRepository served = repository.get();
          return served == null ? List.of() : sources(served.served());
        });
  }

  /**
   * Starts serving the metrics of the model versions {@code models} supplies at the time of each
   * scrape.
   *
   * @param host the address to bind, e.g. {@code 0.0.0.0} or {@code 127.0.0.1}
   * @param port the port to bind, or 0 for an ephemeral one (see {@link #port()})
   * @param models asked on every scrape, from the HTTP server's threads
   * @throws IOException if the port cannot be bound
   */
  public static MetricsServer start(
      String host, int port, Supplier<? extends Collection<ModelSource>> models)
      throws IOException {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(models, "models");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
    }
    PrometheusRegistry registry = new PrometheusRegistry();
    JvmMetrics.builder().register(registry);
    registry.register(new TritonMetricsCollector(models));
    HTTPServer http =
        HTTPServer.builder()
            .hostname(host)
            .port(port)
            .registry(registry)
            .metricsHandlerPath("/metrics")
            // Only /metrics answers: a Triton-style probe pointed here at /v2/health/ready must
            // fail rather than pass on the metrics page.
            .registerHealthHandler(false)
            .defaultHandler(MetricsServer::notFound)
            .buildAndStart();
    return new MetricsServer(http);
  }

  private static void notFound(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = "Not Found; metrics are at /metrics\n".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      exchange.sendResponseHeaders(404, body.length);
      exchange.getResponseBody().write(body);
    }
  }

  private static List<ModelSource> sources(List<ServedModel> served) {
    return served.stream()
        .map(m -> new ModelSource(m.name(), m.versionString(), m.scheduler()))
        .toList();
  }

  /** The bound port: the one asked for, or the ephemeral one chosen for port 0. */
  public int port() {
    return http.getPort();
  }

  /** Stops serving and frees the port; scrapes in progress are cut off. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      http.close();
    }
  }
}
