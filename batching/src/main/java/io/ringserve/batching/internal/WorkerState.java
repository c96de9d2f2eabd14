package io.ringserve.batching.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * One worker as the other threads see it: the batch it runs (none while idle), how it waits while
 * idle, whether it was told to exit, and its thread, to unpark it. The {@link Worker} loop is the
 * only thread that waits on it; producers, the holder of the batching role and the batcher thread
 * read it and wake the worker. How those wake-ups stay race-free is written once, in {@link
 * Wakeups}.
 *
 * <p>Kept apart from the {@link Worker} loop so that the scheduler can build everything in
 * dependency order: the producers' {@link Wakeups} and the {@link BatchingRole} need to see the
 * workers before the loops, which need the role, exist.
 *
 * <p>Thread-safe: every field is volatile. Cost: volatile reads for the wakers; the waiting worker
 * pays a full fence per phase (spinning, then parked).
 */
final class WorkerState {
  /** What an idle worker is doing; see {@link Wakeups}, rule 1. */
  enum Waiting {
    NOT_WAITING,
    SPINNING,
    PARKED
  }

  private static final VarHandle WAITING;

  static {
    try {
      WAITING = MethodHandles.lookup().findVarHandle(WorkerState.class, "waiting", Waiting.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Owned by the worker's thread; the rest of the object is shared. */
  private final SpinThenPark spin;

  // Written by the worker (or claimed back to NOT_WAITING by a producer's CAS); see awaitWork.
  private volatile Waiting waiting = Waiting.NOT_WAITING;

  // The batch being run, visible to shutdown. Written by the worker, or by the holder of the
  // batching role on its behalf (BatchingRole.formFor), so that a batch is never invisible.
  private volatile ScheduledBatch running;

  private volatile boolean exit;

  // Recorded by the worker thread itself before it first looks for work (Wakeups, rule 7).
  private volatile Thread thread;

  /** A worker that spins as {@link SpinThenPark#defaultMaxSpinNanos} says. */
  WorkerState() {
    this(SpinThenPark.defaultMaxSpinNanos());
  }

  /**
   * @param maxSpinNanos how long the idle worker may spin before it parks ({@link SpinThenPark})
   */
  WorkerState(long maxSpinNanos) {
    this.spin = new SpinThenPark(maxSpinNanos);
  }

  /** Called by the worker thread first, before it looks for work. */
  void started() {
    thread = Thread.currentThread();
  }

  /** True if the worker runs no batch and will form none without being handed one. */
  boolean isIdle() {
    return running == null;
  }

  /** The batch running now, or {@code null}. */
  ScheduledBatch running() {
    return running;
  }

  /** Records the batch the worker is about to run; {@code null} once it is idle. */
  void markRunning(ScheduledBatch batch) {
    running = batch;
  }

  /** Wakes the worker if it is parked, so that it looks for work. */
  void wake() {
    LockSupport.unpark(thread);
  }

  /** Asks the worker to exit once its current batch is done. */
  void requestExit() {
    exit = true;
    LockSupport.unpark(thread);
  }

  boolean exitRequested() {
    return exit;
  }

  /**
   * Called by the idle worker: waits until {@code ready} is true, spinning first when {@link
   * SpinThenPark} says the wait is likely short, then parked. Each phase is announced before {@code
   * ready} is checked again (rule 1 of {@link Wakeups}); exit also ends the wait.
   */
  void awaitWork(BooleanSupplier ready) {
    waiting = Waiting.SPINNING;
    VarHandle.fullFence();
    if (spin.spin(ready)) {
      waiting = Waiting.NOT_WAITING;
      return;
    }
    waiting = Waiting.PARKED;
    VarHandle.fullFence();
    if (!ready.getAsBoolean()) {
      LockSupport.park(this);
    }
    waiting = Waiting.NOT_WAITING;
    spin.parked();
  }

  /**
   * Called by a producer after it published (and fenced): unparks the worker if it is parked idle,
   * so that it forms the batch itself; false if it was not parked (busy, spinning, or already
   * claimed by another producer).
   */
  boolean unparkIfParked() {
    if (waiting == Waiting.PARKED
        && WAITING.compareAndSet(this, Waiting.PARKED, Waiting.NOT_WAITING)) {
      LockSupport.unpark(thread);
      return true;
    }
    return false;
  }

  /** True if the worker, idle, spins and will see a request published now. */
  boolean isSpinning() {
    return waiting == Waiting.SPINNING;
  }
}
