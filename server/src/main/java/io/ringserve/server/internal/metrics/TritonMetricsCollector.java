package io.ringserve.server.internal.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricFamilyDescriptor;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;
import io.ringserve.batching.ModelStatistics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Triton's per-model metrics ({@code nv_inference_*}, labels {@code model} and {@code version}),
 * read from each model's scheduler statistics when Prometheus scrapes, plus a batch-size histogram
 * ({@code ringserve_inference_batch_size}) that Triton lacks.
 *
 * <p><b>Names.</b> Triton's dashboards and alerts query {@code nv_inference_count}, not {@code
 * nv_inference_count_total}. The Prometheus Java client (1.10) always writes a counter as {@code
 * <name>_total} in the Prometheus and OpenMetrics text formats (and the OpenMetrics format requires
 * it), with no switch to turn that off. So the cumulative figures are exposed as <em>untyped</em>
 * metrics ({@code # TYPE ... untyped}, {@code unknown} in OpenMetrics), which every format writes
 * under the name as given. Prometheus stores them as it stores Triton's counters and {@code rate()}
 * and {@code increase()} work on them unchanged; what is lost is only the type hint in the
 * metadata. Values are whole numbers written as the library writes doubles ({@code 12.0}).
 * Durations are whole microseconds (nanoseconds / 1000, rounded down), as Triton reports them.
 *
 * <p><b>Cost.</b> Nothing on the request path: each scrape takes one {@link
 * io.ringserve.batching.ModelScheduler#statistics()} snapshot per model version (a handful of
 * counter sums) and builds O(models × (families + batch sizes)) objects. All families of one model
 * come from that one snapshot, so they agree with each other within a scrape.
 *
 * <p>Thread-safe: stateless apart from the supplier, which must itself be safe to call from the
 * HTTP server's threads.
 */
public final class TritonMetricsCollector implements MultiCollector {
  private static final System.Logger LOG = System.getLogger(TritonMetricsCollector.class.getName());

  static final String PENDING = "nv_inference_pending_request_count";
  static final String BATCH_SIZE = "ringserve_inference_batch_size";
  private static final String PENDING_HELP =
      "Instantaneous number of requests queued or running, not yet answered";
  private static final String BATCH_SIZE_HELP =
      "Model executions by batch size (rows per execution)";
  private static final String[] LABEL_NAMES = {"model", "version"};

  /** Triton's cumulative figures (the registry sorts families by name when it writes them). */
  private static final List<Cumulative> CUMULATIVE =
      List.of(
          new Cumulative(
              "nv_inference_request_success",
              "Number of successful inference requests, all batch sizes",
              s -> s.success().count()),
          new Cumulative(
              "nv_inference_request_failure",
              "Number of failed inference requests, all batch sizes",
              s -> s.fail().count()),
          new Cumulative(
              "nv_inference_count",
              "Number of inferences performed (every row of every batch)",
              ModelStatistics::inferenceCount),
          new Cumulative(
              "nv_inference_exec_count",
              "Number of model executions performed (a batch counts once)",
              ModelStatistics::executionCount),
          new Cumulative(
              "nv_inference_request_duration_us",
              "Cumulative end-to-end duration of successful requests in microseconds",
              s -> micros(s.success().nanos())),
          new Cumulative(
              "nv_inference_queue_duration_us",
              "Cumulative queuing duration of successful requests in microseconds",
              s -> micros(s.queue().nanos())),
          new Cumulative(
              "nv_inference_compute_input_duration_us",
              "Cumulative compute input duration in microseconds",
              s -> micros(s.computeInput().nanos())),
          new Cumulative(
              "nv_inference_compute_infer_duration_us",
              "Cumulative compute inference duration in microseconds",
              s -> micros(s.computeInfer().nanos())),
          new Cumulative(
              "nv_inference_compute_output_duration_us",
              "Cumulative compute output duration in microseconds",
              s -> micros(s.computeOutput().nanos())));

  private final Supplier<? extends Collection<ModelSource>> models;

  /**
   * @param models the model versions to report, asked afresh on every scrape so that models loaded
   *     or unloaded since the last one show up or drop out
   */
  public TritonMetricsCollector(Supplier<? extends Collection<ModelSource>> models) {
    this.models = Objects.requireNonNull(models, "models");
  }

  @Override
  public MetricSnapshots collect() {
    List<UnknownSnapshot.Builder> cumulative = new ArrayList<>(CUMULATIVE.size());
    for (Cumulative family : CUMULATIVE) {
      cumulative.add(UnknownSnapshot.builder().name(family.name).help(family.help));
    }
    GaugeSnapshot.Builder pending = GaugeSnapshot.builder().name(PENDING).help(PENDING_HELP);
    HistogramSnapshot.Builder batchSize =
        HistogramSnapshot.builder().name(BATCH_SIZE).help(BATCH_SIZE_HELP);

    for (ModelSource source : models.get()) {
      ModelStatistics stats;
      int pendingRequests;
      try {
        stats = source.scheduler().statistics();
        pendingRequests = source.scheduler().pendingRequests();
      } catch (RuntimeException e) {
        // One broken scheduler must not cost the scrape every other model and the JVM metrics.
        LOG.log(
            System.Logger.Level.WARNING,
            "metrics: no statistics for model '" + source.model() + "' version " + source.version(),
            e);
        continue;
      }
      Labels labels = Labels.of("model", source.model(), "version", source.version());
      for (int i = 0; i < CUMULATIVE.size(); i++) {
        cumulative
            .get(i)
            .dataPoint(
                UnknownDataPointSnapshot.builder()
                    .labels(labels)
                    .value(CUMULATIVE.get(i).value.applyAsDouble(stats))
                    .build());
      }
      pending.dataPoint(
          GaugeDataPointSnapshot.builder().labels(labels).value(pendingRequests).build());
      batchSize.dataPoint(
          HistogramDataPointSnapshot.builder()
              .labels(labels)
              .classicHistogramBuckets(BatchSizeBuckets.of(stats.batchStats()))
              .sum(BatchSizeBuckets.sum(stats.batchStats()))
              .build());
    }

    MetricSnapshots.Builder snapshots = MetricSnapshots.builder();
    cumulative.forEach(b -> snapshots.metricSnapshot(b.build()));
    snapshots.metricSnapshot(pending.build());
    snapshots.metricSnapshot(batchSize.build());
    return snapshots.build();
  }

  /**
   * Declared so that the registry rejects, at registration, any other collector that claims one of
   * these names or gives them other labels.
   */
  @Override
  public List<MetricFamilyDescriptor> getMetricFamilyDescriptors() {
    List<MetricFamilyDescriptor> families = new ArrayList<>(CUMULATIVE.size() + 2);
    for (Cumulative family : CUMULATIVE) {
      families.add(
          MetricFamilyDescriptor.unknown(family.name)
              .help(family.help)
              .labelNames(LABEL_NAMES)
              .build());
    }
    families.add(
        MetricFamilyDescriptor.gauge(PENDING).help(PENDING_HELP).labelNames(LABEL_NAMES).build());
    families.add(
        MetricFamilyDescriptor.histogram(BATCH_SIZE)
            .help(BATCH_SIZE_HELP)
            .labelNames(LABEL_NAMES)
            .build());
    return families;
  }

  private static long micros(long nanos) {
    return nanos / 1000;
  }

  /** One cumulative figure: its Triton name, help text and where it comes from. */
  private record Cumulative(String name, String help, ToDoubleFunction<ModelStatistics> value) {}
}
