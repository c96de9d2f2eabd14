package io.ringserve.loadtest.internal;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closed-loop load: {@code concurrency} lanes, each with exactly one call outstanding; a lane
 * starts its next call from the completion of the previous one. No thread per lane: the loop runs
 * on the transport's callback threads, so 128 lanes cost no more threads than 1.
 *
 * <p>Latency runs from the actual start of each call. That is what a closed loop measures, and it
 * hides server stalls (the lanes simply wait); use {@link OpenLoop} to see them. Thread-safe.
 */
public final class ClosedLoop implements LoadLoop {
  /**
   * Set while this thread is inside {@link CallSender#send}, to catch completions that run inline.
   */
  private static final ThreadLocal<Boolean> SENDING = ThreadLocal.withInitial(() -> false);

  private final CallSender sender;
  private final RequestPool pool;
  private final Measurement measurement;
  private final Bound bound;
  private final int concurrency;
  private final InFlight lanes;
  private final AtomicLong issued = new AtomicLong();
  private final Executor trampoline = ForkJoinPool.commonPool();
  private volatile boolean stopped;

  public ClosedLoop(
      CallSender sender, RequestPool pool, Measurement measurement, Bound bound, int concurrency) {
    this.sender = Objects.requireNonNull(sender, "sender");
    this.pool = Objects.requireNonNull(pool, "pool");
    this.measurement = Objects.requireNonNull(measurement, "measurement");
    this.bound = Objects.requireNonNull(bound, "bound");
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be >= 1, got " + concurrency);
    }
    this.concurrency = concurrency;
    this.lanes = new InFlight(concurrency);
  }

  @Override
  public void run() throws InterruptedException {
    for (int lane = 0; lane < concurrency; lane++) {
      next(lane);
    }
    lanes.await(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
  }

  @Override
  public void stop() {
    stopped = true;
  }

  private void next(int lane) {
    long sequence = issued.getAndIncrement();
    long start = System.nanoTime();
    if (stopped || !bound.allows(sequence, start)) {
      lanes.end();
      return;
    }
    SENDING.set(true);
    try {
      sender.send(
          lane,
          pool.get(sequence),
          (code, error) -> {
            measurement.record(System.nanoTime() - start, code, error);
            if (SENDING.get()) {
              // Completed inside send (an immediate failure): continuing here would recurse once
              // per call while the failure lasts.
              trampoline.execute(() -> next(lane));
            } else {
              next(lane);
            }
          });
    } finally {
      SENDING.set(false);
    }
  }
}
