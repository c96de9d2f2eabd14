package io.ringserve.batching.internal;

import io.ringserve.batching.internal.Wakeups.BatcherWait;
import java.util.function.BooleanSupplier;

/**
 * The batcher thread of one model version: a loop around {@link BatchingRole#step} that does what
 * workers cannot do for themselves. It forms batches for idle workers once a max queue delay ends,
 * keeps that delay's timer, and runs the shutdown: once asked to stop, batches are formed without
 * waiting for the delay until nothing is queued and every worker is idle, or the grace period ends;
 * then {@link BatchingRole#terminate} answers what is left and lets the workers go.
 *
 * <p>It never spins: whenever its prompt reaction would matter, an idle worker is already spinning
 * on the ring and forms the batch itself, so a spinning batcher would only take CPU from the
 * producers and the workers (docs/PERFORMANCE.md, "the batcher thread no longer spins"). With
 * nothing to do it parks until a producer publishes (while a worker is idle and the model has a max
 * queue delay), a worker becomes idle, the oldest request's delay ends, or shutdown begins.
 *
 * <p>Threading: {@link #run} is the batcher thread; the other threads reach it only through {@link
 * Wakeups}.
 */
final class DynamicBatcher implements Runnable {
  private static final System.Logger LOG = System.getLogger(DynamicBatcher.class.getName());

  private final BatchingRole role;
  private final ThreadFailures failures;
  private final Wakeups wakeups;
  private final BooleanSupplier handoffEmpty;
  private final BooleanSupplier anyIdle;

  DynamicBatcher(BatchingRole role, Wakeups wakeups, ThreadFailures failures) {
    this.failures = failures;
    this.role = role;
    this.wakeups = wakeups;
    this.handoffEmpty = role::handoffEmpty;
    this.anyIdle = role::anyIdle;
  }

  @Override
  public void run() {
    wakeups.batcherStarted();
    try {
      loop();
    } catch (Throwable unexpected) {
      failures.record(Thread.currentThread().getName(), unexpected);
      LOG.log(System.Logger.Level.ERROR, "batcher failed; answering queued requests");
    } finally {
      role.terminate();
    }
  }

  private void loop() {
    while (true) {
      boolean stopping = role.isStopping();
      switch (role.step(stopping)) {
        case EXIT:
          return;
        case HANDED_OVER:
          break;
        case AWAIT_TAKE:
          awaitWorker(stopping, handoffEmpty);
          break;
        case AWAIT_IDLE_WORKER:
          awaitWorker(stopping, anyIdle);
          break;
        case AWAIT_WORK:
          awaitWork(stopping);
          break;
      }
    }
  }

  /**
   * Parks until {@code ready} (a worker took the handed-over batch, or one became idle). Publishes
   * do not wake the batcher meanwhile, so a busy model's queue grows without wake-ups.
   */
  private void awaitWorker(boolean stopping, BooleanSupplier ready) {
    wakeups.beginWait(BatcherWait.WORKER);
    // During shutdown it parks too (until the grace period ends), rather than spinning on step
    // while every worker runs; a worker that becomes free still wakes it.
    if (role.isStopping() == stopping && !ready.getAsBoolean()) {
      wakeups.park(stopping ? role.stopDeadlineNanos() : Long.MAX_VALUE);
    }
    wakeups.endWait();
  }

  /** Parks until a publish, the oldest request's delay, or (when stopping) a worker finishing. */
  private void awaitWork(boolean stopping) {
    long until = role.waitUntilNanos();
    if (stopping) {
      // Nothing to dispatch, but running batches may still finish within the grace period.
      wakeups.beginWait(BatcherWait.WORK_OR_WORKER);
      if (!role.hasPublished() && !role.allIdle()) {
        wakeups.park(Math.min(until, role.stopDeadlineNanos()));
      }
      wakeups.endWait();
      return;
    }
    wakeups.beginWait(BatcherWait.WORK);
    if (!role.isStopping() && !(role.canDrainMore() && role.hasPublished())) {
      wakeups.park(until);
    }
    wakeups.endWait();
  }
}
