package io.ringserve.server.internal.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
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

  @Test
  void shouldLogAStackTraceOnlyWhileTheWindowHasLines() {
    List<Throwable> logged = new ArrayList<>();
    System.Logger sink =
        new System.Logger() {
          @Override
          public String getName() {
            return "sink";
          }

          @Override
          public boolean isLoggable(System.Logger.Level level) {
            return true;
          }

          @Override
          public void log(
              System.Logger.Level level, ResourceBundle b, String msg, Throwable thrown) {
            logged.add(thrown);
          }

          @Override
          public void log(
              System.Logger.Level level, ResourceBundle b, String format, Object... params) {}
        };
    AtomicLong now = new AtomicLong();
    RateLimitedLog log = new RateLimitedLog(sink, 2, 1_000, now::get);
    for (int i = 0; i < 10; i++) {
      log.log(System.Logger.Level.ERROR, "failed " + i, new IllegalStateException("x"));
    }

    assertEquals(2, logged.size(), "two lines per window, each with its trace");
  }
}
