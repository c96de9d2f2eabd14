package io.ringserve.loadtest.internal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts open tokens (calls in flight, plus the issuers that may still start calls) and opens a
 * latch when the count reaches zero. Lock-free; thread-safe.
 */
final class InFlight {
  private final AtomicLong open;
  private final CountDownLatch done = new CountDownLatch(1);

  /** Starts with {@code initial} tokens, typically one per issuer. */
  InFlight(long initial) {
    if (initial < 1) {
      throw new IllegalArgumentException("initial must be >= 1, got " + initial);
    }
    this.open = new AtomicLong(initial);
  }

  void begin() {
    open.incrementAndGet();
  }

  void end() {
    if (open.decrementAndGet() == 0) {
      done.countDown();
    }
  }

  long open() {
    return open.get();
  }

  boolean await(long timeout, TimeUnit unit) throws InterruptedException {
    return done.await(timeout, unit);
  }
}
