package io.ringserve.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoadSpecTest {
  private static final Target TARGET = Target.of("127.0.0.1", 8001);

  @Test
  void shouldApplyTheDefaultBoundWhenNeitherCountNorDurationIsGiven() {
    LoadSpec spec = LoadSpec.builder(TARGET, "m").build();

    assertEquals(LoadSpec.DEFAULT_DURATION, spec.duration());
    assertEquals(0, spec.total());
  }

  @Test
  void shouldKeepACountBoundWithoutAddingADuration() {
    LoadSpec spec = LoadSpec.builder(TARGET, "m").total(10).build();

    assertEquals(Duration.ZERO, spec.duration());
    assertEquals(10, spec.toBuilder().build().total());
  }

  @Test
  void shouldRejectBadArgumentsNamingThem() {
    LoadSpec.Builder b = LoadSpec.builder(TARGET, "m");

    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> b.concurrency(0))
            .getMessage()
            .startsWith("concurrency"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> b.rps(-1))
            .getMessage()
            .startsWith("rps"));
    assertThrows(IllegalArgumentException.class, () -> Target.of("h", 0));
    assertThrows(IllegalArgumentException.class, () -> new Warmup(5, Duration.ofSeconds(1)));
  }
}
