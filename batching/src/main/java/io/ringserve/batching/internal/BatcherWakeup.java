package io.ringserve.batching.internal;

import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.WaitStrategy;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * Parks the batcher thread while it has nothing to do and wakes it when that changes: a producer
 * published a request while every worker is busy, or a worker became free, or shutdown began. A
 * request published while a worker is idle goes to that worker instead ({@link #signalWork}).
 *
 * <p>It is also the ring buffer's {@link WaitStrategy}: the Disruptor calls {@link
 * #signalAllWhenBlocking()} after every publish, which is exactly the producer's wake-up hook. No
 * one waits through the strategy itself (the batcher reads the ring with a {@link RingReader}).
 *
 * <p>Cost: a producer pays a full fence and a volatile read per worker and one more per publish,
 * and an unpark only when a worker or the batcher is actually parked waiting for work; while the
 * batcher waits for a free instance, publishes do not wake it, so a busy model's queue grows
 * without context switches. The fence pairs with the one in {@link #beginWait} (Dekker style):
 * either the producer sees the batcher's wait flag, or the batcher sees the published slot, so no
 * wake-up is lost.
 *
 * <p>Thread-safe.
 */
final class BatcherWakeup implements WaitStrategy {
  /** The batcher waits for a published request. */
  static final int WORK = 1;

  /** The batcher waits for a worker to become free. */
  static final int WORKER = 2;

  private static final Worker[] NO_WORKERS = new Worker[0];
  private static final VarHandle WAITING_FOR;

  static {
    try {
      WAITING_FOR =
          MethodHandles.lookup().findVarHandle(BatcherWakeup.class, "waitingFor", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("unused") // accessed through WAITING_FOR
  private volatile int waitingFor;

  private volatile Thread batcher;
  private volatile Worker[] workers = NO_WORKERS;
  private volatile boolean shuttingDown;

  /**
   * Binds the batcher thread and the workers; called once before they start.
   *
   * @param workersFirst whether a publish goes to an idle worker before the batcher. Not with a max
   *     queue delay: the batcher keeps the delay's timer, so a worker told of the request would
   *     only have to wake the batcher in turn.
   */
  void bind(Thread batcher, Worker[] workers, boolean workersFirst) {
    this.batcher = batcher;
    this.workers = workersFirst ? workers : NO_WORKERS;
  }

  /**
   * From now on every publish goes to the batcher, which flushes the queue during shutdown (workers
   * then ignore the ring), and wakes the batcher.
   */
  void shutdownBegins() {
    shuttingDown = true;
    signalAlways();
  }

  /**
   * Announces that the batcher is about to park for {@code reasons} (a mask of {@link #WORK} and
   * {@link #WORKER}); the batcher must re-check its condition after this and before parking.
   */
  void beginWait(int reasons) {
    WAITING_FOR.setVolatile(this, reasons);
    VarHandle.fullFence();
  }

  /** Parks the batcher until woken or until {@code deadlineNanos} (nanoTime clock). */
  void park(long deadlineNanos) {
    if (deadlineNanos == Long.MAX_VALUE) {
      LockSupport.park(this);
    } else {
      long delay = deadlineNanos - System.nanoTime();
      if (delay > 0) {
        LockSupport.parkNanos(this, delay);
      }
    }
  }

  /** Clears the wait flag after parking (or after deciding not to). */
  void endWait() {
    WAITING_FOR.setVolatile(this, 0);
  }

  /**
   * Called by a producer after publishing. When workers are told first (models with no max queue
   * delay, see {@link #bind}), an idle worker forms the batch itself: a request that finds the
   * model idle costs one wake-up (the worker's) instead of two (the batcher's, then the worker's
   * when handed the batch), and none while a worker spins. A spinning worker is preferred to a
   * parked one, which would cost this producer an unpark. Only when every worker is busy may the
   * batcher be woken.
   */
  void signalWork() {
    VarHandle.fullFence();
    Worker[] idleFirst = shuttingDown ? NO_WORKERS : workers;
    for (Worker worker : idleFirst) {
      if (worker.isSpinning()) {
        return;
      }
    }
    for (Worker worker : idleFirst) {
      if (worker.unparkIfParked()) {
        return;
      }
    }
    wake(WORK);
  }

  /**
   * Called by a worker after it took a batch or became idle (both volatile writes, so no extra
   * fence).
   */
  void signalWorker() {
    wake(WORKER);
  }

  /** Wakes the batcher whatever it waits for. */
  void signalAlways() {
    LockSupport.unpark(batcher);
  }

  private void wake(int reason) {
    int waiting = (int) WAITING_FOR.getVolatile(this);
    if ((waiting & reason) != 0 && WAITING_FOR.compareAndSet(this, waiting, 0)) {
      LockSupport.unpark(batcher);
    }
  }

  @Override
  public long waitFor(
      long sequence, Sequence cursor, Sequence dependentSequence, SequenceBarrier barrier) {
    throw new UnsupportedOperationException("the batcher polls; nothing waits on this strategy");
  }

  @Override
  public void signalAllWhenBlocking() {
    signalWork();
  }
}
