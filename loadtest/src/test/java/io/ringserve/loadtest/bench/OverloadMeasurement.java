package io.ringserve.loadtest.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.loadtest.LoadReport;
import io.ringserve.loadtest.LoadRunner;
import io.ringserve.loadtest.LoadSpec;
import io.ringserve.loadtest.Target;
import io.ringserve.loadtest.Warmup;
import io.ringserve.loadtest.compare.ProcessCpu;
import io.ringserve.server.testing.ExampleRepository;
import io.ringserve.server.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The open-loop overload figures of the reliability issue, out of process: {@code mlp} with {@code
 * max_queue_size: 256} in a server JVM of its own ({@code -Xmx512m -XX:+ExitOnOutOfMemoryError}),
 * its capacity (the throughput at saturation) measured closed loop at concurrency 256, then the
 * load generator's open loop at 5x that for {@code -Doverload.duration} (default 20 s). Reports the
 * rejection p99 ({@code UNAVAILABLE} answers, timed apart from the successes), the accepted p99 and
 * goodput against the capacity; asserts every request was answered once, only OK or UNAVAILABLE,
 * and the server survived. With {@code -Doverload.strict=true} (a quiet machine, the load generator
 * on cores of its own) it also asserts the acceptance figures: rejection p99 under 5 ms and goodput
 * at least 0.9x capacity.
 *
 * <p>{@code -Doverload.batch=N} sends requests of N rows each (as {@code perf_analyzer -b N};
 * capacity and offered rate are then in such requests, the saturation concurrency {@code 256 / N}
 * requests), and {@code -Doverload.queue=N} sets {@code max_queue_size} (requests). With a few
 * dozen rows per request, 5x the capacity is a request rate that a load generator sharing two cores
 * with the server can keep; with one row it is about 140k requests/s there, which it cannot.
 *
 * <p>{@code -Doverload.server.cpus=0 -Doverload.client.cpus=1} (as {@code taskset -c}) keeps the
 * server and the load generator on CPUs of their own, on a machine with no separate client: the
 * capacity is then the pinned server's, and the generator does not take the server's CPU.
 *
 * <p>{@code -Doverload.rps=N} offers N requests/s instead of 5x the capacity read, so that two
 * builds are compared at the same load.
 *
 * <p>Run: {@code ./mvnw -B -pl loadtest -am -Poverload verify -Dtest=OverloadMeasurement
 * -Dsurefire.failIfNoSpecifiedTests=false}; the figures are printed and written to {@code
 * loadtest/target/overload.md}. Not in the default run.
 */
@Tag("overload")
class OverloadMeasurement {
  /** Two full batches of mlp (max_batch_size 128) in flight: the model is saturated. */
  private static final int SATURATION_ROWS = 256;

  @TempDir Path dir;

  @Test
  void fiveTimesCapacityOpenLoopIsShedFast() throws Exception {
    Duration duration = Duration.ofSeconds(Long.getLong("overload.duration.secs", 20));
    boolean strict = Boolean.getBoolean("overload.strict");
    int batch = Integer.getInteger("overload.batch", 1);
    int maxQueueSize = Integer.getInteger("overload.queue", 256);
    int saturationConcurrency = Math.max(2, SATURATION_ROWS / batch);
    Path repository = dir.resolve("repository");
    ExampleRepository.copy(ExampleRepository.path().resolve("mlp"), repository.resolve("mlp"));
    Path config = repository.resolve("mlp").resolve("config.pbtxt");
    String text = Files.readString(config);
    assertTrue(text.contains("dynamic_batching { }"), "the bundled mlp's config changed: " + text);
    Files.writeString(
        config,
        text.replace(
            "dynamic_batching { }",
            "dynamic_batching { default_queue_policy { max_queue_size: " + maxQueueSize + " } }"));
    String serverCpus = System.getProperty("overload.server.cpus", "");
    String clientCpus = System.getProperty("overload.client.cpus", "");
    if (!clientCpus.isEmpty()) {
      pinThisProcess(clientCpus);
    }
    Path log = dir.resolve("server.log");
    try (ServerProcess server =
        serverCpus.isEmpty()
            ? ServerProcess.start(repository, log)
            : ServerProcess.startOnCpus(serverCpus, repository, log)) {
      Target target = Target.of("127.0.0.1", server.port());
      LoadReport closed =
          LoadRunner.runOnce(
              LoadSpec.builder(target, "mlp")
                  .batchSize(batch)
                  .concurrency(saturationConcurrency)
                  .connections(Math.min(8, saturationConcurrency))
                  .warmup(Warmup.duration(Duration.ofSeconds(10)))
                  .duration(Duration.ofSeconds(10))
                  .build());
      double capacity = closed.rps();
      // A fixed offered rate compares two builds at the same load, whatever each one's capacity
      // run read.
      double offered = Double.parseDouble(System.getProperty("overload.rps", "0"));
      if (offered <= 0) {
        offered = 5 * capacity;
      }
      long serverCpuBefore = ProcessCpu.ofPid(server.pid());
      long clientCpuBefore = ProcessCpu.self();
      long openStart = System.nanoTime();
      LoadReport open =
          LoadRunner.runOnce(
              LoadSpec.builder(target, "mlp")
                  .batchSize(batch)
                  .rps(offered)
                  .connections(8)
                  .duration(duration)
                  .build());
      double openSeconds = (System.nanoTime() - openStart) / 1e9;
      double serverCpuSeconds = (ProcessCpu.ofPid(server.pid()) - serverCpuBefore) / 1e9;
      double clientCpuSeconds = (ProcessCpu.self() - clientCpuBefore) / 1e9;
      Map<String, Long> codes = open.statusCodeDistribution();
      long ok = codes.getOrDefault("OK", 0L);
      long rejected = codes.getOrDefault("Unavailable", 0L);
      double rejectionP99 = open.failedPercentile("Unavailable", 99).toNanos() / 1e6;
      double acceptedP99 = open.percentile(99).toNanos() / 1e6;
      double goodput = ok / (duration.toNanos() / 1e9);
      String table =
          String.join(
              "\n",
              List.of(
                  "| figure | value |",
                  "|---|---:|",
                  String.format(
                      "| requests | %d row(s) each, max_queue_size %d |", batch, maxQueueSize),
                  String.format(
                      "| capacity (closed loop, c=%d) | %.0f/s (%.0f rows/s) |",
                      saturationConcurrency, capacity, capacity * batch),
                  String.format(
                      "| offered (open loop) | %.0f/s = %.1fx capacity, for %s |",
                      offered, offered / capacity, duration),
                  String.format("| sent | %d |", open.count()),
                  String.format("| OK / UNAVAILABLE | %d / %d |", ok, rejected),
                  String.format("| served | %.0f/s |", ok / (duration.toNanos() / 1e9)),
                  String.format("| rejection p99 | %.2f ms |", rejectionP99),
                  String.format("| accepted p99 | %.1f ms |", acceptedP99),
                  String.format(
                      "| goodput | %.0f/s = %.2fx capacity |", goodput, goodput / capacity),
                  String.format(
                      "| server CPU in the open loop | %.1f s in %.1f s (%.0f %% of a core);"
                          + " %.0f us per request sent |",
                      serverCpuSeconds,
                      openSeconds,
                      100 * serverCpuSeconds / openSeconds,
                      1e6 * serverCpuSeconds / Math.max(1, open.count())),
                  String.format(
                      "| load generator CPU in the open loop | %.1f s (%.0f %% of a core) |",
                      clientCpuSeconds, 100 * clientCpuSeconds / openSeconds),
                  String.format(
                      "| CPUs: server, load generator | %s, %s |",
                      serverCpus.isEmpty() ? "any" : serverCpus,
                      clientCpus.isEmpty() ? "any" : clientCpus),
                  String.format("| load average before | %s |", BenchMachine.loadAverage())));
      System.out.println(table);
      Path out = Path.of("target", "overload.md");
      Files.createDirectories(out.getParent());
      Files.writeString(out, table + "\n");

      assertTrue(server.process().isAlive(), () -> "the server ended\n" + server.output());
      assertEquals(open.count(), ok + rejected, "only OK and UNAVAILABLE: " + codes);
      assertTrue(rejected > 0, "5x capacity with a queue limit is partly rejected: " + codes);
      if (strict) {
        List<String> missed = new ArrayList<>();
        if (rejectionP99 >= 5) {
          missed.add("rejection p99 " + rejectionP99 + " ms >= 5 ms");
        }
        if (goodput < 0.9 * capacity) {
          missed.add("goodput " + goodput / capacity + "x < 0.9x");
        }
        assertTrue(missed.isEmpty(), missed + "\n" + table);
      }
    }
  }

  /** Moves every thread of this JVM (the load generator) onto {@code cpus}, as taskset -a does. */
  private static void pinThisProcess(String cpus) throws Exception {
    Process taskset =
        new ProcessBuilder(
                "taskset", "-a", "-p", "-c", cpus, Long.toString(ProcessHandle.current().pid()))
            .redirectErrorStream(true)
            .start();
    String output = new String(taskset.getInputStream().readAllBytes());
    assertEquals(0, taskset.waitFor(), () -> "taskset failed: " + output);
  }
}
