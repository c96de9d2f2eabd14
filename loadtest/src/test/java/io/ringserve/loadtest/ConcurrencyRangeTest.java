package io.ringserve.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConcurrencyRangeTest {
  @Test
  void shouldStepAsPerfAnalyzerDoesWhileWithinTheEnd() {
    assertEquals(List.of(1, 5, 9, 13), ConcurrencyRange.parse("1:16:4").levels());
    assertEquals(List.of(1, 5, 9, 13, 17), ConcurrencyRange.parse("1:17:4").levels());
    assertEquals(List.of(2, 3, 4), ConcurrencyRange.parse("2:4").levels());
    assertEquals(List.of(8), ConcurrencyRange.parse("8").levels());
    assertEquals(List.of(8), ConcurrencyRange.parse("8:2:3").levels());
    assertEquals(List.of(2, 4, 6), ConcurrencyRange.parse("2:6:+2").levels());
    assertEquals(List.of(5), ConcurrencyRange.parse("5:5:2").levels());
    assertEquals(1_000, ConcurrencyRange.parse("1:1000").levels().size());
  }

  @Test
  void shouldMultiplyByAStarredFactor() {
    assertEquals(List.of(1, 2, 4, 8, 16, 32, 64, 128), ConcurrencyRange.parse("1:128:*2").levels());
    assertEquals(List.of(1, 3, 9, 10), ConcurrencyRange.parse("1:10:*3").levels());
  }

  @Test
  void shouldNameWhatIsWrongWithABadRange() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> ConcurrencyRange.parse("1:2000000000"))
            .getMessage()
            .contains("has 2000000000 levels, more than 1000"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> ConcurrencyRange.parse("0:8"))
            .getMessage()
            .contains("start must be >= 1"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> ConcurrencyRange.parse("1:8:*1"))
            .getMessage()
            .contains("factor must be >= 2"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> ConcurrencyRange.parse("1:8:0"))
            .getMessage()
            .contains("step must be >= 1"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> ConcurrencyRange.parse("1:0:2"))
            .getMessage()
            .contains("END of 0"));
    for (String bad : new String[] {"a:b", "1:2:3:4", "", "1:x:*2"}) {
      assertTrue(
          assertThrows(IllegalArgumentException.class, () -> ConcurrencyRange.parse(bad))
              .getMessage()
              .contains("START[:END[:STEP]]"),
          bad);
    }
  }
}
