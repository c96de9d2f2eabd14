package io.ringserve.loadtest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void shouldParseGhzStyleDurations() {
    assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
    assertEquals(Duration.ofSeconds(90), Durations.parse("1m30s"));
    assertEquals(Duration.ofMillis(1500), Durations.parse("1.5s"));
    assertEquals(Duration.ZERO, Durations.parse("0"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("5"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("5 parsecs"));
  }

  @Test
  void shouldTellDurationsFromCounts() {
    assertTrue(Durations.isDuration("2s"));
    assertFalse(Durations.isDuration("200"));
  }

  @Test
  void shouldFormatWithAUnitThatFits() {
    assertEquals("1.23 ms", Durations.format(Duration.ofNanos(1_234_000)));
    assertEquals("2.00 s", Durations.format(Duration.ofSeconds(2)));
    assertEquals("15.00 us", Durations.format(Duration.ofNanos(15_000)));
  }
}
