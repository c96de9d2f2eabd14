package io.ringserve.loadtest;

import java.time.Duration;
import java.util.Objects;

/**
 * Load sent before a measurement and left out of it: lets the JIT compile, the server load its
 * model kernels and the connection warm up. Either a number of requests or a duration; immutable.
 *
 * @param requests requests to send, or 0
 * @param duration time to run, or {@link Duration#ZERO}
 */
public record Warmup(long requests, Duration duration) {
  /** No warmup. */
  public static final Warmup NONE = new Warmup(0, Duration.ZERO);

  public Warmup {
    Objects.requireNonNull(duration, "duration");
    if (requests < 0) {
      throw new IllegalArgumentException("warmup requests must be >= 0, got " + requests);
    }
    if (duration.isNegative()) {
      throw new IllegalArgumentException("warmup duration must not be negative, got " + duration);
    }
    if (requests > 0 && !duration.isZero()) {
      throw new IllegalArgumentException(
          "a warmup is a number of requests or a duration, not both");
    }
  }

  /** Warm up with {@code n} requests. */
  public static Warmup requests(long n) {
    return new Warmup(n, Duration.ZERO);
  }

  /** Warm up for {@code d}. */
  public static Warmup duration(Duration d) {
    return new Warmup(0, d);
  }

  /** Whether any warmup is asked for. */
  public boolean isNone() {
    return requests == 0 && duration.isZero();
  }
}
