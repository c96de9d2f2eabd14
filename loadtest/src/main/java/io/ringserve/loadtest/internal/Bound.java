package io.ringserve.loadtest.internal;

import java.time.Duration;

/**
 * When a load loop stops starting calls: after {@code calls} calls or at {@code endNanos},
 * whichever comes first. Immutable.
 *
 * @param calls calls to start; {@link Long#MAX_VALUE} for no count bound
 * @param endNanos {@link System#nanoTime()} after which no call starts; {@link Long#MAX_VALUE} for
 *     no time bound
 */
public record Bound(long calls, long endNanos) {
  public Bound {
    if (calls < 0) {
      throw new IllegalArgumentException("calls must be >= 0, got " + calls);
    }
  }

  /**
   * {@code calls} (0 = unbounded) and/or {@code duration} (zero = unbounded) from {@code
   * startNanos}.
   */
  public static Bound of(long calls, Duration duration, long startNanos) {
    if (calls == 0 && duration.isZero()) {
      throw new IllegalArgumentException("a run needs a count or a duration bound");
    }
    return new Bound(
        calls == 0 ? Long.MAX_VALUE : calls,
        duration.isZero() ? Long.MAX_VALUE : startNanos + duration.toNanos());
  }

  /** Whether the time bound is the one that ends the run (for ghz's {@code endReason}). */
  public boolean timeBounded() {
    return endNanos != Long.MAX_VALUE;
  }

  /** Whether call number {@code sequence} (0-based) may start at {@code nowNanos}. */
  boolean allows(long sequence, long nowNanos) {
    return sequence < calls && (endNanos == Long.MAX_VALUE || nowNanos - endNanos < 0);
  }
}
