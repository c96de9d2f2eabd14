package io.ringserve.loadtest.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.loadtest.LoadRunner;
import io.ringserve.loadtest.LoadSpec;
import io.ringserve.loadtest.Target;
import io.ringserve.loadtest.Warmup;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class InterleavedRunTest {
  private final Target target = Target.of(TestServer.HOST, TestServers.shared().port());

  private LoadRunner runner() {
    return LoadRunner.open(
        LoadSpec.builder(target, "simple")
            .concurrency(2)
            .warmup(Warmup.NONE)
            .duration(Duration.ofMillis(100))
            .build());
  }

  @Test
  void shouldAlternateTheSlicesAndSumEachServersOwn() throws Exception {
    List<String> reads = new ArrayList<>();
    InterleavedRun.Result r;
    try (LoadRunner a = runner();
        LoadRunner b = runner()) {
      r =
          new InterleavedRun(3, null, Duration.ofSeconds(1))
              .measure(
                  "simple",
                  false,
                  new InterleavedRun.Side(a, () -> clock(reads, "ringserve", 1_000_000)),
                  new InterleavedRun.Side(b, () -> clock(reads, "echo", 3_000_000)),
                  Duration.ofMillis(50));
    }

    // Each slice's CPU is read before and after it; the slices alternate, RingServe first.
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      expected.addAll(List.of("ringserve", "ringserve", "echo", "echo"));
    }
    assertEquals(expected, reads);
    assertTrue(r.ringServe().requestsPerSecond() > 0, r::toString);
    assertTrue(r.echo().requestsPerSecond() > 0, r::toString);
    assertTrue(r.ringServe().averageBatch() >= 1, "RingServe's statistics: " + r);
    assertNull(r.engine(), "no probe, no engine figures");
  }

  @Test
  void shouldMeasureRingServeAloneForALoadWithoutAnEcho() throws Exception {
    InterleavedRun.Result r;
    try (LoadRunner a = runner()) {
      r =
          new InterleavedRun(2, null, Duration.ofSeconds(1))
              .measure("simple", true, new InterleavedRun.Side(a, () -> -1), null, Duration.ZERO);
    }

    assertNull(r.echo());
    assertTrue(Double.isNaN(r.ringServe().serverCpuUsPerRequest()), "its CPU could not be read");
    assertTrue(r.ringServe().requestsPerSecond() > 0, r::toString);
    assertThrows(
        IllegalArgumentException.class, () -> new InterleavedRun(0, null, Duration.ofSeconds(1)));
  }

  /** A CPU clock that notes who was read and advances by {@code step} each read. */
  private static long clock(List<String> reads, String who, long step) {
    reads.add(who);
    return reads.stream().filter(who::equals).count() * step;
  }
}
