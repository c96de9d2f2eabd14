package io.ringserve.server.internal.probe;

import java.time.Duration;
import java.util.Locale;

/**
 * Reads the probe's durations: {@code 400us}, {@code 500ms}, {@code 3s}, {@code 1.5s}, {@code 2m}.
 */
public final class ProbeDurations {
  private ProbeDurations() {}

  /**
   * Reads {@code text}: a number of {@code us}, {@code ms}, {@code s} or {@code m}, at least zero
   * and at most a day.
   *
   * @throws IllegalArgumentException naming the text and the expected form
   */
  public static Duration parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      double nanosPerUnit;
      int unitLength;
      if (t.endsWith("us")) {
        nanosPerUnit = 1e3;
        unitLength = 2;
      } else if (t.endsWith("ms")) {
        nanosPerUnit = 1e6;
        unitLength = 2;
      } else if (t.endsWith("s")) {
        nanosPerUnit = 1e9;
        unitLength = 1;
      } else if (t.endsWith("m")) {
        nanosPerUnit = 60e9;
        unitLength = 1;
      } else {
        throw new NumberFormatException("no unit");
      }
      double count = Double.parseDouble(t.substring(0, t.length() - unitLength));
      double nanos = count * nanosPerUnit;
      // A day bounds every value, so that the nanoseconds fit a long and a typo is refused.
      if (count >= 0 && nanos <= Duration.ofDays(1).toNanos()) {
        return Duration.ofNanos(Math.round(nanos));
      }
    } catch (NumberFormatException e) {
      // Falls through to the message below.
    }
    throw new IllegalArgumentException(
        "expected a duration such as 400us, 500ms, 3s or 2m (at most a day), got '" + text + "'");
  }
}
