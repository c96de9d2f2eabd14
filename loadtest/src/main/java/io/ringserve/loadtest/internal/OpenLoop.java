package io.ringserve.loadtest.internal;

import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop load: call {@code i} is due at {@code start + i / rps}, whatever the server does, and
 * its latency runs from that intended time, not from when it was actually sent. A server stall
 * therefore shows in every call it delayed, including those the pacer could not send on time (no
 * coordinated omission).
 *
 * <p>One pacing thread (the caller of {@link #run()}) parks until each due time and starts the
 * call; if it falls behind it sends the late calls at once. At most {@code maxOutstanding} calls
 * are in flight; beyond that the pacer waits, and the wait counts in the delayed calls' latency.
 * Thread-safe.
 */
public final class OpenLoop implements LoadLoop {
  /** Longest single park, so that {@link #stop()} is noticed promptly. */
  private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final CallSender sender;
  private final RequestPool pool;
  private final Measurement measurement;
  private final Bound bound;
  private final double intervalNanos;
  private final int lanes;
  private final Semaphore outstanding;
  private volatile boolean stopped;

  /**
   * @param rps calls per second
   * @param lanes connections to spread calls over
   * @param maxOutstanding most calls in flight at once
   */
  public OpenLoop(
      CallSender sender,
      RequestPool pool,
      Measurement measurement,
      Bound bound,
      double rps,
      int lanes,
      int maxOutstanding) {
    this.sender = Objects.requireNonNull(sender, "sender");
    this.pool = Objects.requireNonNull(pool, "pool");
    this.measurement = Objects.requireNonNull(measurement, "measurement");
    this.bound = Objects.requireNonNull(bound, "bound");
    if (!(rps > 0) || Double.isInfinite(rps)) {
      throw new IllegalArgumentException("rps must be a positive finite number, got " + rps);
    }
    if (lanes < 1) {
      throw new IllegalArgumentException("lanes must be >= 1, got " + lanes);
    }
    if (maxOutstanding < 1) {
      throw new IllegalArgumentException("maxOutstanding must be >= 1, got " + maxOutstanding);
    }
    this.intervalNanos = 1e9 / rps;
    this.lanes = lanes;
    this.outstanding = new Semaphore(maxOutstanding);
  }

  @Override
  public void run() throws InterruptedException {
    InFlight inFlight = new InFlight(1);
    long start = measurement.startNanos();
    for (long i = 0; ; i++) {
      long intended = start + (long) (i * intervalNanos);
      if (stopped || !bound.allows(i, intended)) {
        break;
      }
      waitUntil(intended);
      outstanding.acquire();
      inFlight.begin();
      sender.send(
          (int) (i % lanes),
          pool.get(i),
          (code, error) -> {
            measurement.record(System.nanoTime() - intended, code, error);
            outstanding.release();
            inFlight.end();
          });
    }
    inFlight.end();
    inFlight.await(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
  }

  @Override
  public void stop() {
    stopped = true;
  }

  private void waitUntil(long nanos) throws InterruptedException {
    long wait;
    while (!stopped && (wait = nanos - System.nanoTime()) > 0) {
      LockSupport.parkNanos(Math.min(wait, MAX_PARK_NANOS));
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
    }
  }
}
