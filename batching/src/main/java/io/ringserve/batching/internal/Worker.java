package io.ringserve.batching.internal;

import io.ringserve.batching.ModelRunner;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * One model instance's thread: runs batches one at a time on its own {@link ModelRunner}, and
 * closes the runner when told to exit.
 *
 * <p>Where its batches come from: after finishing one it forms the next itself ({@link
 * BatchingRole#formFor}), so under load it never waits for another thread. With nothing queued it
 * goes idle and tells the batcher thread; while idle it waits on the ring ({@link
 * WorkerState#awaitWork}, spinning first if its last wait was short) and forms its own batch when a
 * request is published, or takes the batch the batcher thread hands it after a max queue delay.
 *
 * <p>Threading: {@link #run} is the worker's thread; others see it through its {@link WorkerState}.
 */
final class Worker implements Runnable {
  private static final System.Logger LOG = System.getLogger(Worker.class.getName());

  private final WorkerState state;
  private final ModelRunner runner;
  private final BatchExecutor executor;
  private final BatchingRole role;
  private final Wakeups wakeups;
  private final ThreadFailures failures;
  private final BooleanSupplier workArrived = this::workArrived;

  /** Pause after an unexpected failure of the loop itself. */
  private static final long FAILURE_PAUSE_NANOS = 1_000_000;

  Worker(
      WorkerState state,
      ModelRunner runner,
      BatchExecutor executor,
      BatchingRole role,
      Wakeups wakeups,
      ThreadFailures failures) {
    this.state = state;
    this.failures = failures;
    this.runner = runner;
    this.executor = executor;
    this.role = role;
    this.wakeups = wakeups;
  }

  @Override
  public void run() {
    state.started();
    try {
      boolean busy = false;
      while (true) {
        try {
          ScheduledBatch batch = role.takeHandedOver(state);
          if (batch == null && (busy || role.hasPublished())) {
            batch = role.formFor(state);
          }
          if (batch != null) {
            execute(batch);
            busy = true;
            continue;
          }
          if (busy) {
            busy = false;
            state.markRunning(null);
            if (role.handoffEmpty()) {
              wakeups.signalWorker(); // idle: the batcher may have a batch for us
            }
            continue; // look at the handoff once more before waiting
          }
          if (state.exitRequested()) {
            return;
          }
          state.awaitWork(workArrived);
        } catch (Throwable unexpected) {
          // A bug, or an Error (OutOfMemoryError) while forming a batch: the thread stays, so that
          // the model's requests are still answered, and the model reports itself not ready.
          failures.record(Thread.currentThread().getName(), unexpected);
          LockSupport.parkNanos(FAILURE_PAUSE_NANOS); // a failure that repeats must not spin
        }
      }
    } finally {
      closeRunner();
    }
  }

  private boolean workArrived() {
    // Once shutdown begins the batcher forms every batch (it flushes the queue), so the ring is no
    // reason to stop waiting; a batch handed over is.
    return !role.handoffEmpty()
        || state.exitRequested()
        || (!role.isStopping() && role.hasPublished());
  }

  private void execute(ScheduledBatch batch) {
    try {
      executor.execute(runner, batch);
    } catch (Throwable unexpected) {
      // execute answers runner failures itself; this is a bug, so keep serving and say so.
      LOG.log(System.Logger.Level.ERROR, "worker failed to answer a batch", unexpected);
    }
  }

  private void closeRunner() {
    try {
      runner.close();
    } catch (Throwable failure) {
      LOG.log(System.Logger.Level.WARNING, "closing a model runner failed", failure);
    }
  }
}
