package io.ringserve.batching.internal;

import io.ringserve.batching.ModelRunner;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * One model instance: a thread that runs batches one at a time on its own {@link ModelRunner} and
 * closes the runner when told to exit.
 *
 * <p>Where batches come from: after finishing a batch the worker forms its next one itself through
 * {@link DynamicBatcher#nextBatchFor}, so under load it never waits for another thread. When
 * nothing is queued it goes idle and tells the batcher thread; while it spins (only if its last
 * wait was short) it also watches the ring and forms its own batch when a request is published, so
 * a busy model whose queue runs dry now and then does not pay two wake-ups per refill. Once parked,
 * it is woken by the next producer to publish (and forms that batch itself), or by the batcher
 * handing it a batch through the {@link Handoff} (after a max queue delay).
 *
 * <p>Threading: {@code running} (the batch being run, visible to shutdown) is written by this
 * worker, or by the batcher on its behalf while it holds the batching role. An idle worker spins
 * briefly if its last wait was short, then parks and costs no CPU.
 */
final class Worker implements Runnable {
  private static final System.Logger LOG = System.getLogger(Worker.class.getName());
  private static final int NOT_WAITING = 0;
  private static final int SPINNING = 1;
  private static final int PARKED = 2;
  private static final VarHandle WAITING;

  static {
    try {
      WAITING = MethodHandles.lookup().findVarHandle(Worker.class, "waiting", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final ModelRunner runner;
  private final BatchExecutor executor;
  private final Handoff handoff;
  private final BatcherWakeup batcherWakeup;
  private final BooleanSupplier workArrived = this::workArrived;
  private final SpinThenPark spin = new SpinThenPark();

  // NOT_WAITING, SPINNING or PARKED: what this worker does while idle; see awaitWork.
  private volatile int waiting;
  private volatile DynamicBatcher batcher;
  private volatile ScheduledBatch running;
  private volatile boolean exit;
  private volatile Thread thread;

  Worker(ModelRunner runner, BatchExecutor executor, Handoff handoff, BatcherWakeup wakeup) {
    this.runner = runner;
    this.executor = executor;
    this.handoff = handoff;
    this.batcherWakeup = wakeup;
  }

  /** Binds the worker to its batcher and thread; called once before the thread starts. */
  void bind(DynamicBatcher batcher, Thread thread) {
    this.batcher = batcher;
    this.thread = thread;
  }

  Thread thread() {
    return thread;
  }

  /** True if the worker runs no batch and will form none without being handed one. */
  boolean isIdle() {
    return running == null;
  }

  /** The batch running now, or {@code null}. */
  ScheduledBatch running() {
    return running;
  }

  /** Records the batch the worker is about to run; see {@link DynamicBatcher#nextBatchFor}. */
  void markRunning(ScheduledBatch batch) {
    running = batch;
  }

  /** Wakes the worker if it is parked, so that it looks at the handoff. */
  void wake() {
    LockSupport.unpark(thread);
  }

  /** Asks the worker to exit once its current batch is done. */
  void requestExit() {
    exit = true;
    LockSupport.unpark(thread);
  }

  @Override
  public void run() {
    try {
      boolean busy = false;
      while (true) {
        ScheduledBatch batch = takeHandedOver();
        if (batch == null && (busy || batcher.hasPublished())) {
          batch = batcher.nextBatchFor(this);
        }
        if (batch != null) {
          execute(batch);
          busy = true;
          continue;
        }
        if (busy) {
          busy = false;
          running = null;
          if (handoff.isEmpty()) {
            batcherWakeup.signalWorker(); // idle: the batcher may have a batch for us
          }
          continue; // look at the handoff once more before waiting
        }
        if (exit) {
          return;
        }
        awaitWork();
      }
    } finally {
      closeRunner();
    }
  }

  /**
   * Waits, idle, until a batch is handed over, a request is published or exit is asked: spinning
   * first if the last wait was short, then parked. Each phase is announced in {@code waiting} and
   * the condition checked again after a fence, which pairs with the fence a producer makes after
   * publishing ({@link BatcherWakeup#signalWork}): either the producer sees this worker spinning or
   * parked, or the worker sees the request.
   */
  private void awaitWork() {
    waiting = SPINNING;
    VarHandle.fullFence();
    if (spin.spin(workArrived)) {
      waiting = NOT_WAITING;
      return;
    }
    waiting = PARKED;
    VarHandle.fullFence();
    if (!workArrived()) {
      LockSupport.park(this);
    }
    waiting = NOT_WAITING;
    spin.parked();
  }

  /**
   * Called by a producer after it published a request (and fenced): wakes this worker if it is
   * parked idle, so that it forms the batch itself; false if it was not parked (busy, or already
   * woken by someone else).
   */
  boolean unparkIfParked() {
    if (waiting == PARKED && WAITING.compareAndSet(this, PARKED, NOT_WAITING)) {
      LockSupport.unpark(thread);
      return true;
    }
    return false;
  }

  /** True if this worker, idle, spins on the ring and will see a request published now. */
  boolean isSpinning() {
    return waiting == SPINNING;
  }

  private boolean workArrived() {
    // Once shutdown begins the batcher forms every batch (it flushes the queue), so the ring is no
    // reason to stop waiting; a batch handed over is.
    return !handoff.isEmpty() || exit || (!batcher.isStopping() && batcher.hasPublished());
  }

  /** Takes the batch in the handoff, if any; it is marked running before it leaves the handoff. */
  private ScheduledBatch takeHandedOver() {
    ScheduledBatch batch = handoff.peek();
    if (batch == null) {
      return null;
    }
    ScheduledBatch previous = running;
    running = batch;
    if (!handoff.take(batch)) {
      running = previous; // another worker took it first
      return null;
    }
    batcherWakeup.signalWorker(); // the handoff is free again
    return batch;
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
