package io.ringserve.loadtest.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.TextFormat;
import inference.ModelConfigOuterClass.ModelConfig;
import io.ringserve.loadtest.LoadReport;
import io.ringserve.loadtest.LoadRunner;
import io.ringserve.loadtest.LoadSpec;
import io.ringserve.loadtest.Target;
import io.ringserve.loadtest.Warmup;
import io.ringserve.loadtest.compare.EchoInferenceServer;
import io.ringserve.server.RingServeServer;
import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.internal.examples.ExampleModels;
import io.ringserve.server.testing.ExampleRepository;
import io.ringserve.server.testing.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batched-serving performance goals, measured in one run on this machine with the project's
 * load generator against a real RingServe on 127.0.0.1, each served figure beside its baseline:
 *
 * <ul>
 *   <li>batching gain: {@code mlp} at concurrency 64 with dynamic batching vs the same model with
 *       batching off (at least 8x), printed beside the engine's own gain (the runner alone at batch
 *       64 vs batch 1), which bounds it;
 *   <li>overhead: {@code simple} at concurrency 32 vs a bare grpc-java service echoing the same
 *       payload (at least 0.7x the requests/s);
 *   <li>efficiency: {@code mlp} with 16 samples per request at concurrency 16 vs the runner called
 *       directly at the same average batch size (at least 0.7x the samples/s);
 *   <li>low-load latency: median at concurrency 1 at most the runner's batch-1 time + 200 us.
 * </ul>
 *
 * The MLP goals are measured for the TensorFlow and the ONNX Runtime model. Server and direct
 * runner use the same engine threads ({@link BackendOptions#serverDefaults()}, as every {@link
 * TestServers} server). Run with {@code ./mvnw -B -pl loadtest -am -Pbenchmark install
 * -Dtest=ServingBenchmark -Dsurefire.failIfNoSpecifiedTests=false}; the table is printed and
 * written to {@code loadtest/target/serving-benchmark.md}. Not part of the default test run
 * (minutes of load on a 2-core machine).
 */
@Tag("benchmark")
class ServingBenchmark {
  private static final Duration MEASURE = Duration.ofSeconds(5);
  private static final Warmup WARMUP = Warmup.duration(Duration.ofSeconds(2));

  /**
   * Callers per connection. By default all callers share one connection, as with ghz; {@code
   * -Dbenchmark.callersPerConnection=6} spreads them the way Triton's C++ client library (under
   * perf_analyzer) does by default: at most six clients share a gRPC channel
   * (TRITON_CLIENT_GRPC_CHANNEL_MAX_SHARE_COUNT).
   */
  private static final int CALLERS_PER_CONNECTION = callersPerConnection();

  @TempDir Path repository;
  private final List<String> rows = new ArrayList<>();
  private final List<String> misses = new ArrayList<>();

  @Test
  void measureTheBatchedServingGoals() throws Exception {
    for (String model : ExampleModels.NAMES) {
      ExampleRepository.copy(ExampleRepository.path().resolve(model), repository.resolve(model));
    }
    copyUnbatched("mlp");
    copyUnbatched("mlp_onnx");
    rows.add("| measurement | served | baseline | ratio | goal |");
    rows.add("|---|---:|---:|---:|---|");
    try (RingServeServer server = startServer();
        EchoInferenceServer echo = EchoInferenceServer.start()) {
      Target ringServe = Target.of("127.0.0.1", server.port());
      // JIT warm-up of both servers and every path measured below: on two cores the compiler
      // threads alone take most of a core for the first ten seconds or so of load.
      for (String model :
          List.of("simple", "mlp", "mlp_unbatched", "mlp_onnx", "mlp_onnx_unbatched")) {
        measure(load(ringServe, model, 32).duration(Duration.ofSeconds(3)));
      }
      measure(
          load(Target.of("127.0.0.1", echo.port()), "simple", 32).duration(Duration.ofSeconds(3)));
      measureOverhead(ringServe, Target.of("127.0.0.1", echo.port()));
      for (String model : List.of("mlp", "mlp_onnx")) {
        measureModel(ringServe, model);
      }
    }
    String table = String.join("\n", rows);
    System.out.println(table);
    Path out = Path.of("target", "serving-benchmark.md");
    Files.createDirectories(out.getParent());
    Files.writeString(
        out,
        "TF_ENABLE_ONEDNN_OPTS="
            + System.getenv("TF_ENABLE_ONEDNN_OPTS")
            + ", load average before: "
            + BenchMachine.loadAverage()
            + ", callers per connection: "
            + (CALLERS_PER_CONNECTION == Integer.MAX_VALUE ? "all" : CALLERS_PER_CONNECTION)
            + "\n\n"
            + table
            + "\n");
    assertTrue(misses.isEmpty(), "goals missed: " + misses + "\n" + table);
  }

  private void measureOverhead(Target ringServe, Target echo) throws InterruptedException {
    LoadReport served = run(load(ringServe, "simple", 32));
    LoadReport bare = run(load(echo, "simple", 32));
    record("simple c=32 requests/s vs bare grpc-java echo", served.rps(), bare.rps(), 0.7, true);
  }

  /**
   * The three MLP goals of one model. One direct runner gives every engine-alone figure: its
   * batch-1 call serves both the engine's own gain and the latency limit.
   */
  private void measureModel(Target target, String model) throws Exception {
    LoadReport batched = run(load(target, model, 64));
    LoadReport unbatched = run(load(target, model + "_unbatched", 64));
    LoadReport sixteen = run(load(target, model, 16).batchSize(16));
    LoadReport single = run(load(target, model, 1));
    int averageBatch = (int) Math.max(1, Math.round(sixteen.server().averageBatchSize()));
    try (DirectRunner direct = directRunner(model)) {
      DirectRunner.Figures atOne = direct.measureMlp(1, 3);
      DirectRunner.Figures atFull = direct.measureMlp(64, 3);
      DirectRunner.Figures atAverage = direct.measureMlp(averageBatch, 3);
      recordBatchingGain(model, batched, unbatched, atFull, atOne);
      record(
          model + " 16 samples/request c=16 samples/s vs runner direct at batch " + averageBatch,
          sixteen.inferencesPerSecond(),
          atAverage.samplesPerSecond(),
          0.7,
          true);
      recordLowLoadLatency(model, single, atOne);
    }
  }

  private void recordBatchingGain(
      String model,
      LoadReport batched,
      LoadReport unbatched,
      DirectRunner.Figures atFull,
      DirectRunner.Figures atOne) {
    record(
        model
            + " c=64 inferences/s, dynamic batching vs off (avg batch "
            + String.format("%.1f", batched.server().averageBatchSize())
            + ")",
        batched.inferencesPerSecond(),
        unbatched.inferencesPerSecond(),
        8.0,
        true);
    // The most batching can give on this machine: the engine alone, no gRPC and no queue, at the
    // largest batch 64 callers can form against one row per call. No goal; it bounds the one above.
    rows.add(
        String.format(
            "| %s runner direct samples/s, batch 64 vs batch 1 (the engine's own gain) | %,.0f |"
                + " %,.0f | %.2fx | bounds the gain |",
            model,
            atFull.samplesPerSecond(),
            atOne.samplesPerSecond(),
            atFull.samplesPerSecond() / atOne.samplesPerSecond()));
  }

  private void recordLowLoadLatency(String model, LoadReport single, DirectRunner.Figures atOne) {
    double medianMicros = single.percentile(50).toNanos() / 1e3;
    boolean met = medianMicros <= atOne.medianCallMicros() + 200;
    rows.add(
        String.format(
            "| %s c=1 median latency (us) vs runner batch-1 call + 200 us | %.0f | %.0f + 200 | | %s |",
            model, medianMicros, atOne.medianCallMicros(), met ? "met" : "MISSED"));
    if (!met) {
      misses.add(model + " low-load latency");
    }
  }

  private DirectRunner directRunner(String model) throws Exception {
    Path modelDir = repository.resolve(model);
    ModelConfig.Builder config = ModelConfig.newBuilder();
    TextFormat.merge(Files.readString(modelDir.resolve("config.pbtxt")), config);
    Path file =
        modelDir.resolve("1").resolve(model.endsWith("_onnx") ? "model.onnx" : "model.savedmodel");
    return new DirectRunner(file, config.build());
  }

  private void record(String what, double served, double baseline, double goal, boolean atLeast) {
    double ratio = served / baseline;
    boolean met = atLeast ? ratio >= goal : ratio <= goal;
    rows.add(
        String.format(
            "| %s | %,.0f | %,.0f | %.2fx | %s %.1fx: %s |",
            what, served, baseline, ratio, atLeast ? ">=" : "<=", goal, met ? "met" : "MISSED"));
    if (!met) {
      misses.add(what);
    }
  }

  /**
   * Load from {@code concurrency} callers, {@link #CALLERS_PER_CONNECTION} of them to a connection.
   * With one connection every call of every caller goes through one event-loop thread on each side;
   * docs/PERFORMANCE.md shows what spreading them changes on two cores.
   */
  private static LoadSpec.Builder load(Target target, String model, int concurrency) {
    int connections = (concurrency - 1) / CALLERS_PER_CONNECTION + 1;
    return LoadSpec.builder(target, model).concurrency(concurrency).connections(connections);
  }

  private static int callersPerConnection() {
    String value = System.getProperty("benchmark.callersPerConnection");
    if (value == null) {
      return Integer.MAX_VALUE;
    }
    try {
      int callers = Integer.parseInt(value.trim());
      if (callers >= 1) {
        return callers;
      }
    } catch (NumberFormatException notANumber) {
      // reported below
    }
    throw new IllegalArgumentException(
        "benchmark.callersPerConnection must be a whole number >= 1, got '" + value + "'");
  }

  private static LoadReport run(LoadSpec.Builder spec) throws InterruptedException {
    return measure(spec.duration(MEASURE).warmup(WARMUP));
  }

  private static LoadReport measure(LoadSpec.Builder spec) throws InterruptedException {
    try (LoadRunner runner = LoadRunner.open(spec.build())) {
      return runner.run();
    }
  }

  private RingServeServer startServer() throws Exception {
    // The server's own message limit, not the test servers' smaller one.
    return RingServeServer.start(
        TestServers.config(repository)
            .maxMessageBytes(RingServeServer.Config.DEFAULT_MAX_MESSAGE_BYTES)
            .build());
  }

  /**
   * A copy of {@code model} named {@code <model>_unbatched}, without its dynamic_batching block.
   */
  private void copyUnbatched(String model) throws Exception {
    Path from = repository.resolve(model);
    Path to = repository.resolve(model + "_unbatched");
    try (var files = Files.walk(from)) {
      for (Path source : files.toList()) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target);
        }
      }
    }
    Path config = to.resolve("config.pbtxt");
    String text =
        Files.readString(config)
            .replace("name: \"" + model + "\"", "name: \"" + model + "_unbatched\"")
            .replaceAll("(?s)dynamic_batching\\s*\\{[^}]*\\}", "");
    Files.writeString(config, text);
  }
}
