package io.ringserve.server.internal.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimitedLogTest {
  @Test
  void shouldLetThroughSoManyLinesPerWindowAndCountTheRest() {
    AtomicLong now = new AtomicLong();
    RateLimitedLog.Window window = new RateLimitedLog.Window(3, 1_000, now::get);
    assertEquals(0, window.admit());
    assertEquals(0, window.admit());
    assertEquals(0, window.admit());
    for (int i = 0; i < 100; i++) {
      assertEquals(-1, window.admit(), "over the rate");
    }
    now.addAndGet(1_000);
    assertEquals(100, window.admit(), "the next window's first line reports the dropped ones");
    assertEquals(0, window.admit());
  }
}
