package io.ringserve.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How the channel retries calls that fail with {@code UNAVAILABLE} (a server stopping, a full
 * queue, a connection lost before the answer): up to {@code maxAttempts} attempts in all, waiting a
 * random time up to {@code initialBackoff}, then up to {@code backoffMultiplier} times longer each
 * time, capped at {@code maxBackoff}. Retries are done by gRPC itself (its service config), so with
 * several servers a retry is picked by the load balancer and normally lands on another one.
 *
 * <p>Retries are throttled per client (gRPC's retry throttling): each attempt failing {@code
 * UNAVAILABLE} takes a token of 200, each call answered gives back 0.1, and no call is retried
 * while 100 or fewer remain. A burst of about 100 failed attempts, such as the calls in flight on
 * one of several servers when it stops, is retried on the others; a run of refusals from an
 * overloaded server (more than about one failure in ten calls) soon stops the retries, so that they
 * do not multiply its load, until answered calls earn the tokens back (ten per token). A single
 * server that stays down uses the tokens up within about twenty calls' retries.
 *
 * <p>Retried calls are buffered in memory until answered (gRPC's limit: 1 MiB per call, 16 MiB per
 * channel); a call larger than that is simply not retried. Immutable.
 */
public record RetryPolicy(
    int maxAttempts, Duration initialBackoff, Duration maxBackoff, double backoffMultiplier) {

  /**
   * Five attempts, backing off from 50 ms up to 1 s: rides out a restart of one of several servers,
   * or a short one of a single server under modest traffic.
   */
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(5, Duration.ofMillis(50), Duration.ofSeconds(1), 2.0);

  /** No retries: every failure reaches the caller. */
  public static final RetryPolicy NONE =
      new RetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(1), 1.0);

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
    }
    requirePositive(Objects.requireNonNull(initialBackoff, "initialBackoff"), "initialBackoff");
    requirePositive(Objects.requireNonNull(maxBackoff, "maxBackoff"), "maxBackoff");
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "maxBackoff (" + maxBackoff + ") must be >= initialBackoff (" + initialBackoff + ")");
    }
    if (!(backoffMultiplier >= 1.0) || Double.isInfinite(backoffMultiplier)) {
      throw new IllegalArgumentException(
          "backoffMultiplier must be a finite number >= 1, got " + backoffMultiplier);
    }
  }

  /** Whether this policy retries at all. */
  public boolean retries() {
    return maxAttempts > 1;
  }

  private static void requirePositive(Duration d, String name) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
  }
}
