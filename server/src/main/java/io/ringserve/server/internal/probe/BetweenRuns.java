package io.ringserve.server.internal.probe;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * What the timing thread does between two measured runs of an engine: nothing (back to back, the
 * engine at its best), park (as a server's worker does when requests come one at a time, so the CPU
 * may idle), or spin (busy for the same time without letting the CPU idle).
 *
 * <p>Why it matters: on a virtual machine a run that follows an idle spell can take much longer
 * than one that follows another run, so "the engine's batch-1 time" depends on it (figures in
 * docs/PERFORMANCE.md, "Fourteenth run").
 *
 * @param mode what the thread does
 * @param length for how long, zero for {@link Mode#NONE}
 */
public record BetweenRuns(Mode mode, Duration length) {
  /** Back to back. */
  public static final BetweenRuns NONE = new BetweenRuns(Mode.NONE, Duration.ZERO);

  /** The kinds of pause. */
  public enum Mode {
    NONE,
    PARK,
    SPIN
  }

  public BetweenRuns {
    if (mode == null || length == null || length.isNegative()) {
      throw new IllegalArgumentException("a mode and a length of at least zero are needed");
    }
    if ((mode == Mode.NONE) != length.isZero()) {
      throw new IllegalArgumentException(
          "a pause of " + length + " cannot be " + mode.name().toLowerCase(Locale.ROOT));
    }
  }

  /**
   * Reads {@code none}, {@code park:DURATION} or {@code spin:DURATION}, where DURATION is a whole
   * number of {@code us}, {@code ms} or {@code s} greater than zero.
   */
  public static BetweenRuns parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("none")) {
      return NONE;
    }
    int colon = t.indexOf(':');
    Mode mode =
        colon < 0
            ? null
            : switch (t.substring(0, colon)) {
              case "park" -> Mode.PARK;
              case "spin" -> Mode.SPIN;
              default -> null;
            };
    Duration length = mode == null ? null : length(t.substring(colon + 1));
    if (length == null || length.isZero()) {
      throw new IllegalArgumentException(
          "expected none, park:DURATION or spin:DURATION (such as park:400us), got '" + text + "'");
    }
    return new BetweenRuns(mode, length);
  }

  private static Duration length(String text) {
    try {
      if (text.endsWith("us")) {
        return Duration.ofNanos(Math.multiplyExact(parseCount(text, 2), 1_000L));
      }
      if (text.endsWith("ms")) {
        return Duration.ofMillis(parseCount(text, 2));
      }
      if (text.endsWith("s")) {
        return Duration.ofSeconds(parseCount(text, 1));
      }
    } catch (NumberFormatException | ArithmeticException e) {
      // Falls through: the caller names the expected form.
    }
    return null;
  }

  private static long parseCount(String text, int unitLength) {
    long count = Long.parseLong(text.substring(0, text.length() - unitLength));
    if (count < 0) {
      throw new NumberFormatException("negative");
    }
    return count;
  }

  /** Passes the pause on the calling thread. */
  void pass() {
    switch (mode) {
      case NONE -> {}
      case PARK -> {
        long until = System.nanoTime() + length.toNanos();
        // parkNanos may return early (spuriously or on unpark); park again for what is left.
        for (long left = length.toNanos(); left > 0; left = until - System.nanoTime()) {
          LockSupport.parkNanos(left);
        }
      }
      case SPIN -> {
        long until = System.nanoTime() + length.toNanos();
        while (until - System.nanoTime() > 0) {
          Thread.onSpinWait();
        }
      }
    }
  }

  /** {@code none}, or the mode and length in microseconds, as in {@code park:400us}. */
  @Override
  public String toString() {
    if (mode == Mode.NONE) {
      return "none";
    }
    return mode.name().toLowerCase(Locale.ROOT) + ":" + length.toNanos() / 1_000 + "us";
  }
}
