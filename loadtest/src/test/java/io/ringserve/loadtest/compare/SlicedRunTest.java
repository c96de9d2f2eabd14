package io.ringserve.loadtest.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.loadtest.LoadReport;
import io.ringserve.loadtest.LoadSpec;
import io.ringserve.loadtest.ServerStats;
import io.ringserve.loadtest.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class SlicedRunTest {
  private static final LoadSpec SPEC =
      LoadSpec.builder(Target.of("127.0.0.1", 1), "mlp").batchSize(2).total(1).build();

  /**
   * A slice of {@code ok} calls of {@code latencyUs} each (and {@code failed} more) in {@code ms}.
   */
  private static LoadReport slice(
      long ok, long failed, long ms, long latencyUs, long executions, boolean withStats) {
    Histogram latencies = new Histogram(3);
    latencies.recordValueWithCount(latencyUs * 1000, ok);
    ServerStats stats =
        withStats ? new ServerStats(2 * ok, executions, ok, failed, 0, 0, 0, 0, 0, 0) : null;
    return new LoadReport(
        Instant.EPOCH,
        "timeout",
        SPEC,
        4,
        ok + failed,
        Duration.ofMillis(ms),
        latencies,
        failed == 0 ? Map.of("OK", ok) : Map.of("OK", ok, "Unavailable", failed),
        Map.of(),
        List.of(),
        List.of(),
        stats);
  }

  @Test
  void shouldSumTheSlicesIntoOneRun() {
    SlicedRun run = new SlicedRun();
    // 1,000 calls in 1 s at 100 us, then 3,000 calls in 1 s at 300 us (the machine sped up).
    run.add(slice(1_000, 0, 1_000, 100, 100, true), 20_000_000, 5_000_000);
    run.add(slice(3_000, 2, 1_000, 300, 500, true), 60_000_000, 15_000_000);

    Sample s = run.sample();

    assertEquals(2_000, s.requestsPerSecond(), 1e-6); // 4,000 OK in 2 s, not the mean of the rates
    assertEquals(4_000, s.inferencesPerSecond(), 1e-6); // two rows per request
    assertEquals(300, s.p50Us(), 1); // the merged histogram's median: three calls in four at 300
    assertEquals(20, s.serverCpuUsPerRequest(), 1e-9); // 80 ms over 4,000 OK
    assertEquals(5, s.clientCpuUsPerRequest(), 1e-9);
    assertEquals(8_000 / 600.0, s.averageBatch(), 1e-9);
    assertEquals(2, s.errors());
  }

  @Test
  void shouldReadAsTheRunItselfWithOneSlice() {
    SlicedRun run = new SlicedRun();
    run.add(slice(500, 0, 250, 800, 50, true), 10_000_000, 1_000_000);

    Sample s = run.sample();

    assertEquals(2_000, s.requestsPerSecond(), 1e-6);
    assertEquals(800, s.p50Us(), 1);
    assertEquals(20, s.serverCpuUsPerRequest(), 1e-9);
    assertEquals(20, s.averageBatch(), 1e-9);
  }

  @Test
  void shouldLeaveUnknownWhatOneSliceCouldNotRead() {
    SlicedRun run = new SlicedRun();
    run.add(slice(100, 0, 100, 100, 10, true), 1_000_000, 1_000_000);
    run.add(slice(100, 0, 100, 100, 0, false), -1, 1_000_000);

    Sample s = run.sample();

    assertTrue(Double.isNaN(s.serverCpuUsPerRequest()), "a slice without the server's CPU");
    assertTrue(Double.isNaN(s.averageBatch()), "a slice without the server's statistics");
    assertEquals(1_000, s.requestsPerSecond(), 1e-6);
  }

  @Test
  void shouldRefuseToSumNoSlice() {
    assertThrows(IllegalStateException.class, () -> new SlicedRun().sample());
  }
}
