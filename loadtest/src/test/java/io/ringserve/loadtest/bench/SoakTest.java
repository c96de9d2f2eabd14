package io.ringserve.loadtest.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.loadtest.LoadReport;
import io.ringserve.loadtest.LoadRunner;
import io.ringserve.loadtest.LoadSpec;
import io.ringserve.loadtest.Target;
import io.ringserve.loadtest.Warmup;
import io.ringserve.loadtest.internal.Durations;
import io.ringserve.server.testing.ExampleRepository;
import io.ringserve.server.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Soak (scope 11 of the reliability issue): {@code mlp} in a server JVM of its own ({@code -Xmx512m
 * -XX:+ExitOnOutOfMemoryError}, as the {@code ringserve} script starts it) at half its measured
 * capacity for {@code -Dsoak.duration} (default {@code 10m}). Capacity is measured first, closed
 * loop at concurrency 64; then the open loop runs in one-minute segments (shorter when the whole
 * soak is under four minutes), and after each segment the server's heap after a full GC, RSS,
 * threads and open file descriptors are read (jcmd and {@code /proc/PID}). The first segment is the
 * start, the last the end; the test fails if the end exceeds the start by more than:
 *
 * <ul>
 *   <li>heap after GC: 32 MiB or a quarter of the start, whichever is more;
 *   <li>RSS: 128 MiB;
 *   <li>threads: 8; open file descriptors: 16;
 *   <li>p99 latency: twice the start's plus 10 ms;
 * </ul>
 *
 * and if any request of the open loop fails. Run: {@code ./mvnw -B -pl loadtest -am -Psoak verify
 * -Dtest=SoakTest -Dsurefire.failIfNoSpecifiedTests=false -Dsoak.duration=10m}; the table is
 * printed and written to {@code loadtest/target/soak.md}. Not in the default run.
 */
@Tag("soak")
class SoakTest {
  private static final long MIB = 1 << 20;

  @TempDir Path dir;

  @Test
  void halfCapacityForTheSoakDurationDoesNotGrowTheServer() throws Exception {
    Duration soak = Durations.parse(System.getProperty("soak.duration", "10m"));
    Duration segment =
        soak.compareTo(Duration.ofMinutes(4)) >= 0 ? Duration.ofMinutes(1) : soak.dividedBy(4);
    int segments = (int) Math.max(2, soak.toNanos() / segment.toNanos());
    // The first segment settles the open loop after the closed-loop capacity run (its p99 was
    // seconds where the next was tens of milliseconds); with three or more, the second is the
    // start.
    int startSegment = segments >= 3 ? 2 : 1;
    List<String> rows = new ArrayList<>();
    rows.add(
        "| segment | sent/s | p99 ms | errors | heap after GC MiB | RSS MiB | threads | fds |");
    rows.add("|---:|---:|---:|---:|---:|---:|---:|---:|");
    try (ServerProcess server =
        ServerProcess.start(ExampleRepository.only("mlp"), dir.resolve("server.log"))) {
      Target target = Target.of("127.0.0.1", server.port());
      LoadReport closed =
          LoadRunner.runOnce(
              LoadSpec.builder(target, "mlp")
                  .concurrency(64)
                  .connections(4)
                  .warmup(Warmup.duration(Duration.ofSeconds(10)))
                  .duration(Duration.ofSeconds(20))
                  .build());
      double capacity = closed.rps();
      double rate = capacity / 2;
      String header =
          String.format(
              "capacity (closed loop, concurrency 64, 20 s): %.0f requests/s; soak at %.0f/s for"
                  + " %s in %d segments of %s; load average before: %s",
              capacity, rate, soak, segments, segment, BenchMachine.loadAverage());
      System.out.println(header);
      Sample start = null;
      Sample end = null;
      long errors = 0;
      for (int i = 1; i <= segments; i++) {
        LoadReport report =
            LoadRunner.runOnce(
                LoadSpec.builder(target, "mlp").rps(rate).connections(4).duration(segment).build());
        Sample sample =
            new Sample(
                report.count() / (segment.toNanos() / 1e9),
                report.percentile(99).toNanos() / 1e6,
                report.errorCount(),
                server.heapAfterGcBytes(),
                server.procStatus("VmRSS") * 1024,
                server.procStatus("Threads"),
                server.openFiles());
        errors += sample.errors;
        rows.add(sample.row(i));
        System.out.println(rows.get(rows.size() - 1));
        if (i == startSegment) {
          start = sample;
        }
        end = sample;
        assertTrue(server.process().isAlive(), () -> "the server ended\n" + server.output());
      }
      String table = header + "\n\n" + String.join("\n", rows) + "\n";
      Path out = Path.of("target", "soak.md");
      Files.createDirectories(out.getParent());
      Files.writeString(out, table);
      List<String> grown = new ArrayList<>();
      check(grown, "heap after GC", start.heap, end.heap, Math.max(32 * MIB, start.heap / 4));
      check(grown, "RSS", start.rss, end.rss, 128 * MIB);
      check(grown, "threads", start.threads, end.threads, 8);
      check(grown, "file descriptors", start.files, end.files, 16);
      if (end.p99Millis > 2 * start.p99Millis + 10) {
        grown.add(String.format("p99 %.1f ms -> %.1f ms", start.p99Millis, end.p99Millis));
      }
      assertTrue(errors == 0, errors + " requests failed\n" + table);
      assertTrue(grown.isEmpty(), "grew beyond its bounds: " + grown + "\n" + table);
    }
  }

  private static void check(List<String> grown, String what, long start, long end, long bound) {
    if (start < 0 || end < 0) {
      grown.add(what + " could not be read");
    } else if (end - start > bound) {
      grown.add(what + " " + start + " -> " + end + " (bound +" + bound + ")");
    }
  }

  private record Sample(
      double sentPerSecond,
      double p99Millis,
      long errors,
      long heap,
      long rss,
      long threads,
      long files) {
    String row(int segment) {
      return String.format(
          "| %d | %.0f | %.1f | %d | %.1f | %d | %d | %d |",
          segment,
          sentPerSecond,
          p99Millis,
          errors,
          heap / (double) MIB,
          rss / MIB,
          threads,
          files);
    }
  }
}
