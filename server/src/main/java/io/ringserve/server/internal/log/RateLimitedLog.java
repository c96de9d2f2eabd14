package io.ringserve.server.internal.log;

import java.text.MessageFormat;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A logger for events a client can cause at will (refused connections, rejected requests): at most
 * {@link #DEFAULT_LINES_PER_WINDOW} lines per {@link #DEFAULT_WINDOW_SECONDS} s per instance, so
 * that no client can flood the log; the first line of the next window says how many were left out.
 * One line per event, never a stack trace.
 *
 * <p>Thread-safe and lock-free. Cost of a suppressed event: two atomic operations, no formatting.
 */
public final class RateLimitedLog {
  /** Lines per window. */
  public static final int DEFAULT_LINES_PER_WINDOW = 10;

  /** The window's length. */
  public static final int DEFAULT_WINDOW_SECONDS = 10;

  private final System.Logger log;
  private final Window window;

  /** A log for {@code loggerName} with the default rate, on the system clock. */
  public RateLimitedLog(String loggerName) {
    this(
        System.getLogger(loggerName),
        DEFAULT_LINES_PER_WINDOW,
        TimeUnit.SECONDS.toNanos(DEFAULT_WINDOW_SECONDS),
        System::nanoTime);
  }

  /**
   * @param clock nanoseconds, as {@link System#nanoTime()}
   */
  public RateLimitedLog(
      System.Logger log, int linesPerWindow, long windowNanos, LongSupplier clock) {
    this.log = Objects.requireNonNull(log, "log");
    this.window = new Window(linesPerWindow, windowNanos, clock);
  }

  /** Logs a WARNING line (a {@link MessageFormat} pattern) unless this window's lines are spent. */
  public void warn(String pattern, Object... arguments) {
    log(System.Logger.Level.WARNING, pattern, arguments);
  }

  /** Logs a line at {@code level} unless this window's lines are spent. */
  public void log(System.Logger.Level level, String pattern, Object... arguments) {
    if (!log.isLoggable(level)) {
      return;
    }
    long left = window.admit();
    if (left < 0) {
      return;
    }
    String line = MessageFormat.format(pattern, arguments);
    if (left > 0) {
      line += " (" + left + " similar line(s) left out before this one)";
    }
    log.log(level, line);
  }

  /**
   * Logs {@code message} with {@code thrown}'s stack trace at {@code level} unless this window's
   * lines are spent.
   */
  public void log(System.Logger.Level level, String message, Throwable thrown) {
    if (!log.isLoggable(level)) {
      return;
    }
    long left = window.admit();
    if (left < 0) {
      return;
    }
    log.log(
        level,
        left > 0 ? message + " (" + left + " similar line(s) left out before this one)" : message,
        thrown);
  }

  /** Lines left out and not yet reported. */
  public long suppressed() {
    return window.suppressed.get();
  }

  /**
   * The rate itself: so many lines per window. Thread-safe and lock-free; the window restarts on
   * the first line after it ended.
   */
  static final class Window {
    private final int linesPerWindow;
    private final long windowNanos;
    private final LongSupplier clock;
    private final AtomicLong windowStart;
    private final AtomicLong linesInWindow = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();

    Window(int linesPerWindow, long windowNanos, LongSupplier clock) {
      if (linesPerWindow < 1) {
        throw new IllegalArgumentException("linesPerWindow must be >= 1, got " + linesPerWindow);
      }
      if (windowNanos < 1) {
        throw new IllegalArgumentException("windowNanos must be >= 1, got " + windowNanos);
      }
      this.linesPerWindow = linesPerWindow;
      this.windowNanos = windowNanos;
      this.clock = Objects.requireNonNull(clock, "clock");
      this.windowStart = new AtomicLong(clock.getAsLong());
    }

    /**
     * Counts one line: -1 if it is over the rate and must be dropped, otherwise how many were
     * dropped since the last line let through (to say so on this one).
     */
    long admit() {
      long now = clock.getAsLong();
      long start = windowStart.get();
      if (now - start >= windowNanos && windowStart.compareAndSet(start, now)) {
        linesInWindow.set(0);
      }
      if (linesInWindow.incrementAndGet() > linesPerWindow) {
        suppressed.incrementAndGet();
        return -1;
      }
      return suppressed.getAndSet(0);
    }
  }
}
