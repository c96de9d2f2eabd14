package io.ringserve.pipeline;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Reports a run's progress on standard error: on a terminal, a bar redrawn in place (records/s, and
 * for files the percentage and time left); otherwise a plain log line every few seconds. A daemon
 * thread that wakes a few times a second at most.
 */
public final class Progress implements AutoCloseable {
  private final PrintStream out;
  private final boolean terminal;
  private final Duration every;
  private final LongSupplier records;
  private final LongSupplier errors;
  private final LongSupplier bytesRead;
  private final long totalBytes;
  private final long startNanos = System.nanoTime();
  private final long startRecords;
  private final Thread thread;
  private volatile boolean closed;

  public Progress(
      PrintStream out,
      boolean terminal,
      Duration every,
      LongSupplier records,
      LongSupplier errors,
      LongSupplier bytesRead,
      long totalBytes) {
    this.out = out;
    this.terminal = terminal;
    this.every = terminal ? Duration.ofMillis(250) : every;
    this.records = records;
    this.errors = errors;
    this.bytesRead = bytesRead;
    this.totalBytes = totalBytes;
    this.startRecords = records.getAsLong();
    this.thread = new Thread(this::loop, "ringserve-score-progress");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    while (!closed) {
      try {
        Thread.sleep(every.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      if (!closed) {
        report();
      }
    }
  }

  private void report() {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    long done = records.getAsLong();
    double rate = (done - startRecords) / Math.max(seconds, 1e-3);
    StringBuilder line = new StringBuilder();
    String pct = "";
    if (totalBytes > 0) {
      double fraction = Math.min(1.0, bytesRead.getAsLong() / (double) totalBytes);
      pct = String.format(Locale.ROOT, "%5.1f%% ", fraction * 100);
      if (terminal) {
        int width = 30;
        int filled = (int) (fraction * width);
        line.append('[').append("#".repeat(filled)).append(" ".repeat(width - filled)).append("] ");
      }
      line.append(pct);
      if (fraction > 0) {
        long eta = (long) (seconds / fraction - seconds);
        line.append(String.format(Locale.ROOT, "ETA %d:%02d ", eta / 60, eta % 60));
      }
    }
    line.append(
        String.format(
            Locale.ROOT,
            "%,d records, %,d errors, %,.0f records/s",
            done,
            errors.getAsLong(),
            rate));
    if (terminal) {
      out.print("\r" + line + "   ");
    } else {
      out.println("score: " + line);
    }
    out.flush();
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    if (terminal) {
      out.print("\r");
      out.flush();
    }
  }
}
