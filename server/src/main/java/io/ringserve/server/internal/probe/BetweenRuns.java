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
  /** The longest pause: a probe measures seconds, so a longer one is a mistake. */
  public static final Duration LONGEST = Duration.ofSeconds(10);

  /** Back to back (after {@link #LONGEST}: the constructor reads it). */
  public static final BetweenRuns NONE = new BetweenRuns(Mode.NONE, Duration.ZERO);

  /** The kinds of pause. */
  public enum Mode {
    NONE,
    PARK,
    SPIN
  }

  public BetweenRuns {
    if (mode == null || length == null || length.isNegative() || length.compareTo(LONGEST) > 0) {
      throw new IllegalArgumentException(
          "a mode and a length from 0 to " + LONGEST + " are needed");
    }
    // Whole microseconds, so that toString reads back as the same pause.
    if ((mode == Mode.NONE) != length.isZero() || length.toNanos() % 1_000 != 0) {
      throw new IllegalArgumentException(
          "a pause of " + length + " cannot be " + mode.name().toLowerCase(Locale.ROOT));
    }
  }

  /**
   * Reads {@code none}, {@code park:DURATION} or {@code spin:DURATION}, where DURATION is as {@link
   * ProbeDurations#parse} reads it, at least a microsecond and at most {@link #LONGEST}.
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
    if (mode != null) {
      try {
        Duration length = ProbeDurations.parse(t.substring(colon + 1));
        return new BetweenRuns(mode, Duration.ofNanos(length.toNanos() / 1_000 * 1_000));
      } catch (IllegalArgumentException e) {
        // Falls through: the message below names the whole form.
      }
    }
    throw new IllegalArgumentException(
        "expected none, park:DURATION or spin:DURATION, DURATION from 1us to 10s (such as"
            + " park:400us), got '"
            + text
            + "'");
  }

  /** Passes the pause on the calling thread. */
  void pass() {
    switch (mode) {
      case NONE -> {}
      case PARK -> {
        long until = System.nanoTime() + length.toNanos();
        // parkNanos may return early (spuriously or on unpark); park again for what is left. An
        // interrupted thread would return at once each time and so spin: the probe interrupts none.
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
