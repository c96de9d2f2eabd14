package io.ringserve.loadtest.cli;

import io.ringserve.loadtest.ProgressListener;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar redrawn in place with {@code \r}, for terminals only (the command uses it
 * when a console is attached and stays quiet otherwise). Called from the runner's sampling thread;
 * {@link #clear()} from the main thread after the run, when sampling has stopped.
 */
final class ProgressBar implements ProgressListener {
  private static final int WIDTH = 30;
  private final PrintWriter err;
  private int lastLength;

  ProgressBar(PrintWriter err) {
    this.err = err;
  }

  @Override
  public synchronized void onProgress(String phase, double fraction, long completed) {
    int filled = (int) Math.round(fraction * WIDTH);
    String line =
        String.format(
            Locale.ROOT,
            "%-14s [%s%s] %3d%%  %d calls",
            phase,
            "=".repeat(filled),
            " ".repeat(WIDTH - filled),
            Math.round(fraction * 100),
            completed);
    err.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
    err.flush();
    lastLength = line.length();
  }

  /** Erases the bar. */
  synchronized void clear() {
    if (lastLength > 0) {
      err.print("\r" + " ".repeat(lastLength) + "\r");
      err.flush();
      lastLength = 0;
    }
  }
}
