package io.ringserve.loadtest.internal;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses and prints durations the way ghz does ({@code 500ms}, {@code 5s}, {@code 1m30s}). */
public final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

  private Durations() {}

  /**
   * Parses a sequence of number-unit pairs such as {@code 1m30s} or {@code 250ms}; a bare {@code 0}
   * is zero.
   *
   * @throws IllegalArgumentException naming {@code text} if it is not a duration
   */
  public static Duration parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = PART.matcher(t);
    long nanos = 0;
    int at = 0;
    while (at < t.length() && m.find(at) && m.start() == at) {
      double value = Double.parseDouble(m.group(1));
      double unit =
          switch (m.group(2)) {
            case "ns" -> 1;
            case "us", "µs" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "m" -> 60e9;
            default -> 3600e9;
          };
      nanos += Math.round(value * unit);
      at = m.end();
    }
    if (at != t.length() || t.isEmpty()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration (examples: 500ms, 5s, 1m30s)");
    }
    return Duration.ofNanos(nanos);
  }

  /** Whether {@code text} looks like a duration rather than a plain count. */
  public static boolean isDuration(String text) {
    return text.trim().matches(".*\\d(ns|us|µs|ms|s|m|h)$");
  }

  /** Short form with a unit that keeps 3-4 significant digits: {@code 1.23 ms}, {@code 5.00 s}. */
  public static String format(Duration d) {
    return formatNanos(d.toNanos());
  }

  /** As {@link #format(Duration)}, from nanoseconds. */
  public static String formatNanos(double nanos) {
    double abs = Math.abs(nanos);
    if (abs >= 1e9) {
      return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }
    if (abs >= 1e6) {
      return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
    }
    if (abs >= 1e3) {
      return String.format(Locale.ROOT, "%.2f us", nanos / 1e3);
    }
    return String.format(Locale.ROOT, "%.0f ns", nanos);
  }

  /** Milliseconds with two decimals, no unit, as in tables. */
  public static String millis(Duration d) {
    return String.format(Locale.ROOT, "%.2f", d.toNanos() / 1e6);
  }
}
