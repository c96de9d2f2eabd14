package io.ringserve.server.internal.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProbeDurationsTest {
  @Test
  void shouldReadEveryUnit() {
    assertEquals(Duration.ofNanos(400_000), ProbeDurations.parse("400us"));
    assertEquals(Duration.ofMillis(500), ProbeDurations.parse("500ms"));
    assertEquals(Duration.ofMillis(1_500), ProbeDurations.parse(" 1.5S "));
    assertEquals(Duration.ofMinutes(2), ProbeDurations.parse("2m"));
    assertEquals(Duration.ZERO, ProbeDurations.parse("0s"));
    assertEquals(Duration.ofDays(1), ProbeDurations.parse("1440m"));
  }

  @Test
  void shouldRefuseWhatIsNoDurationNamingIt() {
    for (String bad : new String[] {"", "5", "5 seconds", "-1s", "1441m", "1e30s", "NaNs", "s"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> ProbeDurations.parse(bad), bad);
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
  }
}
