package io.ringserve.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server that stalls once for 300 ms: open loop must show the stall in its tail (every call
 * scheduled during the stall waited), where closed loop hides it in a single slow sample.
 */
@Timeout(30)
class CoordinatedOmissionTest {
  private static final long STALL_MILLIS = 300;

  /** 400 calls at 200/s; the stall starts at call 100 and holds up the ~60 calls due during it. */
  @Test
  void shouldShowAServerStallInTheOpenLoopP99() throws Exception {
    try (StallingServer server = new StallingServer(100, STALL_MILLIS);
        LoadRunner runner =
            LoadRunner.open(
                LoadSpec.builder(server.target(), "fake")
                    .rps(200)
                    .duration(Duration.ofSeconds(2))
                    .build())) {
      LoadReport r = runner.run();

      assertEquals(400, r.count());
      assertEquals(400, r.okCount());
      assertTrue(
          r.percentile(99).toMillis() >= 200,
          "p99 must carry the 300 ms stall, got " + r.percentile(99));
      assertTrue(r.percentile(90).toMillis() >= 10, "p90 too: " + r.percentile(90));
      assertEquals(400, r.server().inferenceCount());
    }
  }

  @Test
  void shouldHideTheSameStallInAClosedLoopP99() throws Exception {
    try (StallingServer server = new StallingServer(100, STALL_MILLIS);
        LoadRunner runner =
            LoadRunner.open(
                LoadSpec.builder(server.target(), "fake").concurrency(1).total(400).build())) {
      LoadReport r = runner.run();

      assertEquals(400, r.okCount());
      assertTrue(r.slowest().toMillis() >= STALL_MILLIS, "the one stalled call: " + r.slowest());
      assertTrue(
          r.percentile(99).toMillis() < STALL_MILLIS / 2,
          "closed loop records the stall once (coordinated omission), p99 " + r.percentile(99));
    }
  }
}
