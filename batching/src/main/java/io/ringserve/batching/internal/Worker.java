package io.ringserve.batching.internal;

import io.ringserve.batching.ModelRunner;
import java.util.concurrent.locks.LockSupport;

/**
 * One model instance: a thread that runs the batches the batcher hands it, one at a time, on its
 * own {@link ModelRunner}, and closes the runner when told to exit.
 *
 * <p>Handoff: a one-slot inbox. The batcher fills it only while it is empty: with any batch when
 * the worker is idle, or, while the worker runs a batch, with a batch that can no longer grow
 * (staged, so the worker goes straight on without waiting for the batcher to wake up). The worker
 * takes the batch out of the inbox before running it and wakes the batcher, which may then stage
 * the next one.
 *
 * <p>Threading: {@code inbox} is written by the batcher when empty and emptied by the worker;
 * {@code running} is written by the worker only. Both are volatile. A parked worker costs no CPU;
 * waking one costs an unpark (a futex call), which staging avoids under load.
 */
final class Worker implements Runnable {
  private static final System.Logger LOG = System.getLogger(Worker.class.getName());

  private final ModelRunner runner;
  private final BatchExecutor executor;
  private final BatcherWakeup batcherWakeup;
  private volatile ScheduledBatch inbox;
  private volatile ScheduledBatch running;
  private volatile boolean exit;
  private volatile Thread thread;

  Worker(ModelRunner runner, BatchExecutor executor, BatcherWakeup batcherWakeup) {
    this.runner = runner;
    this.executor = executor;
    this.batcherWakeup = batcherWakeup;
  }

  /** Binds the worker to the thread that will run it; called once before the thread starts. */
  void bind(Thread thread) {
    this.thread = thread;
  }

  Thread thread() {
    return thread;
  }

  /** True if the worker runs nothing and has nothing waiting. */
  boolean isIdle() {
    return inbox == null && running == null;
  }

  /** True if the inbox is empty, so that {@link #assign} may be called. */
  boolean canAccept() {
    return inbox == null;
  }

  /** The batch running now, or {@code null}. */
  ScheduledBatch running() {
    return running;
  }

  /** The batch waiting in the inbox, or {@code null}. */
  ScheduledBatch waiting() {
    return inbox;
  }

  /** Puts a batch in the inbox; called by the batcher thread only, while {@link #canAccept()}. */
  void assign(ScheduledBatch batch) {
    inbox = batch;
    LockSupport.unpark(thread);
  }

  /** Asks the worker to exit once its current and waiting batches are done. */
  void requestExit() {
    exit = true;
    LockSupport.unpark(thread);
  }

  @Override
  public void run() {
    try {
      while (true) {
        ScheduledBatch batch = inbox;
        if (batch != null) {
          // running first, so that shutdown always finds the batch in one field or the other.
          running = batch;
          inbox = null;
          batcherWakeup.signalWorkerFree();
          try {
            executor.execute(runner, batch);
          } catch (Throwable unexpected) {
            // execute answers runner failures itself; this is a bug, so keep serving and say so.
            LOG.log(System.Logger.Level.ERROR, "worker failed to answer a batch", unexpected);
          }
          running = null;
          if (inbox == null) {
            batcherWakeup.signalWorkerFree();
          }
          continue;
        }
        if (exit) {
          return;
        }
        LockSupport.park(this);
      }
    } finally {
      closeRunner();
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
