package io.ringserve.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class LoadRunnerTest {
  /** The JVM's shared server over the example models. */
  private final Target target = Target.of(TestServer.HOST, TestServers.shared().port());

  @Test
  void shouldCountExactlyWhatTheServerInferredInATotalRun() throws Exception {
    LoadReport r =
        LoadRunner.runOnce(LoadSpec.builder(target, "simple").concurrency(4).total(300).build());

    assertEquals(300, r.count());
    assertEquals(300, r.okCount());
    assertEquals("normal", r.endReason());
    assertNotNull(r.server(), "RingServe offers ModelStatistics");
    assertEquals(r.count(), r.server().inferenceCount());
    assertEquals(300, r.server().successCount());
  }

  @Test
  void shouldStartTheScheduledNumberOfCallsInOpenLoop() throws Exception {
    LoadReport r =
        LoadRunner.runOnce(
            LoadSpec.builder(target, "simple").rps(500).duration(Duration.ofSeconds(5)).build());

    assertTrue(Math.abs(r.count() - 2500) <= 50, "2,500 ± 2 % calls, got " + r.count());
    assertEquals(r.count(), r.okCount(), () -> "errors: " + r.errorDistribution());
    assertEquals("timeout", r.endReason());
    assertEquals(r.count(), r.server().inferenceCount());
  }

  @Test
  void shouldLeaveWarmupCallsOutOfTheReportAndTheServerDelta() throws Exception {
    LoadReport r =
        LoadRunner.runOnce(
            LoadSpec.builder(target, "simple")
                .concurrency(2)
                .total(100)
                .warmup(Warmup.requests(50))
                .build());

    assertEquals(100, r.count());
    assertEquals(100, r.server().inferenceCount());
  }

  @Test
  void shouldWarmUpOnTheRunnersConnectionsAndMeasureOnlyTheRun() throws Exception {
    Map<String, Long> completedByPhase = new ConcurrentHashMap<>();
    LoadReport r;
    try (LoadRunner runner =
        LoadRunner.open(
            LoadSpec.builder(target, "simple").concurrency(2).total(100).build(),
            (phase, fraction, completed) -> completedByPhase.merge(phase, completed, Math::max))) {
      runner.warmUp(Duration.ofMillis(300));
      r = runner.run();
      assertThrows(IllegalArgumentException.class, () -> runner.warmUp(Duration.ZERO));
    }

    assertTrue(completedByPhase.getOrDefault("warmup", 0L) > 0, completedByPhase::toString);
    assertEquals(100, r.count());
    assertEquals(100, r.server().inferenceCount(), "the warm-up's calls are not in the delta");
  }

  @Test
  void shouldSendClientSideBatchesThatTheServerCountsPerRow() throws Exception {
    LoadReport r =
        LoadRunner.runOnce(
            LoadSpec.builder(target, "mlp").batchSize(4).concurrency(2).total(40).build());

    assertEquals(40, r.okCount(), () -> "errors: " + r.errorDistribution());
    assertEquals(160, r.server().inferenceCount());
    assertEquals(4 * r.rps(), r.inferencesPerSecond(), 1e-6);
  }

  @Test
  void shouldSendOverModelStreamInferWhenAskedTo() throws Exception {
    LoadReport r =
        LoadRunner.runOnce(
            LoadSpec.builder(target, "simple").stream(true)
                .concurrency(8)
                .connections(2)
                .total(200)
                .build());

    assertEquals(200, r.okCount(), () -> "errors: " + r.errorDistribution());
    assertEquals(200, r.server().inferenceCount());
  }

  @Test
  void shouldSendTypedStringContents() throws Exception {
    LoadReport r =
        LoadRunner.runOnce(
            LoadSpec.builder(target, "simple_string")
                .contents(ContentsMode.TYPED)
                .concurrency(2)
                .total(50)
                .build());

    assertEquals(50, r.okCount(), () -> "errors: " + r.errorDistribution());
  }

  @Test
  void shouldSendTheValuesOfADataFile(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("simple.json");
    Files.writeString(
        data,
        "{\"data\": [{\"INPUT0\": [[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]],"
            + " \"INPUT1\": {\"content\": [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1], \"shape\": [16]}}]}");

    LoadReport r =
        LoadRunner.runOnce(LoadSpec.builder(target, "simple").dataFile(data).total(20).build());

    assertEquals(20, r.okCount(), () -> "errors: " + r.errorDistribution());
  }

  @Test
  void shouldMeasureOneLevelPerConcurrencyInASweep() throws Exception {
    SweepReport sweep;
    try (LoadRunner runner =
        LoadRunner.open(LoadSpec.builder(target, "mlp").total(60).connections(2).build())) {
      sweep = runner.sweep(ConcurrencyRange.parse("1:4:*2"));
    }

    assertEquals(List.of(1, 2, 4), sweep.levels().stream().map(LoadReport::concurrency).toList());
    for (LoadReport level : sweep.levels()) {
      assertEquals(60, level.okCount(), () -> "errors: " + level.errorDistribution());
      assertEquals(60, level.server().inferenceCount());
      assertTrue(level.server().averageBatchSize() >= 1);
    }
  }

  @Test
  void shouldStopStartingCallsWhenCancelled() throws Exception {
    LoadSpec spec =
        LoadSpec.builder(target, "simple").concurrency(2).duration(Duration.ofSeconds(30)).build();
    CountDownLatch calling = new CountDownLatch(1);
    try (LoadRunner runner =
        LoadRunner.open(
            spec,
            (phase, fraction, completed) -> {
              if (completed > 0) {
                calling.countDown();
              }
            })) {
      Thread canceller =
          new Thread(
              () -> {
                try {
                  if (calling.await(10, TimeUnit.SECONDS)) {
                    runner.cancel();
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      canceller.start();
      LoadReport r = runner.run();
      canceller.join();

      assertEquals("cancel", r.endReason());
      assertTrue(r.count() > 0);
      assertTrue(r.total().compareTo(Duration.ofSeconds(15)) < 0, "stopped early: " + r.total());
    }
  }
}
