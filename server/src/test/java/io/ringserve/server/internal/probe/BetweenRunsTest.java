package io.ringserve.server.internal.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BetweenRunsTest {
  @Test
  void shouldReadEachModeAndUnit() {
    assertEquals(BetweenRuns.NONE, BetweenRuns.parse("none"));
    assertEquals(
        new BetweenRuns(BetweenRuns.Mode.PARK, Duration.ofNanos(400_000)),
        BetweenRuns.parse("park:400us"));
    assertEquals(
        new BetweenRuns(BetweenRuns.Mode.SPIN, Duration.ofMillis(2)),
        BetweenRuns.parse(" SPIN:2ms "));
    assertEquals(
        new BetweenRuns(BetweenRuns.Mode.PARK, Duration.ofSeconds(1)),
        BetweenRuns.parse("park:1s"));
    assertEquals(
        new BetweenRuns(BetweenRuns.Mode.PARK, Duration.ofNanos(1_500_000)),
        BetweenRuns.parse("park:1.5ms"));
    assertEquals("park:400us", BetweenRuns.parse("park:400us").toString());
    assertEquals("spin:2000us", BetweenRuns.parse("spin:2ms").toString());
    assertEquals("none", BetweenRuns.NONE.toString());
  }

  @Test
  void shouldRefuseAnythingElseNamingTheForm() {
    for (String bad :
        new String[] {
          "",
          "park",
          "park:",
          "park:0us",
          "park:0.5us",
          "park:-5us",
          "park:11s",
          "spin:1m",
          "park:9999999999s",
          "sleep:1ms",
          "park:1h",
          "1ms"
        }) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> BetweenRuns.parse(bad), bad);
      assertTrue(e.getMessage().contains("park:DURATION or spin:DURATION"), e.getMessage());
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
  }

  @Test
  void shouldPassAtLeastItsLengthWhetherParkingOrSpinning() {
    for (String pause : new String[] {"park:3ms", "spin:3ms"}) {
      BetweenRuns between = BetweenRuns.parse(pause);
      long start = System.nanoTime();
      between.pass();
      assertTrue(System.nanoTime() - start >= 3_000_000L, pause);
    }
  }

  @Test
  void shouldOnlyHoldPausesThatReadBackAsThemselves() {
    assertEquals(
        "spin:10000000us", new BetweenRuns(BetweenRuns.Mode.SPIN, BetweenRuns.LONGEST).toString());
    for (Duration length :
        new Duration[] {Duration.ofNanos(500), Duration.ofSeconds(11), Duration.ofDays(400)}) {
      assertThrows(
          IllegalArgumentException.class,
          () -> new BetweenRuns(BetweenRuns.Mode.PARK, length),
          length::toString);
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> new BetweenRuns(BetweenRuns.Mode.NONE, Duration.ofMillis(1)));
  }
}
