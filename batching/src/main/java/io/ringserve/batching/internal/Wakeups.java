package io.ringserve.batching.internal;

import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.WaitStrategy;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * How the threads of one scheduler wake each other, and the one place that says why no wake-up is
 * lost. A producer that publishes a request wakes an idle worker (which forms the batch itself),
 * or, when the model has a max queue delay, the batcher thread; while every worker is busy it wakes
 * no one, since each forms its own next batch when it finishes. A worker that becomes free wakes
 * the batcher thread if it waits for one. It is also the ring buffer's {@link WaitStrategy}: the
 * Disruptor calls {@link #signalAllWhenBlocking()} after every publish, which is exactly the
 * producer's hook. No one waits through the strategy itself.
 *
 * <h2>Why no wake-up is lost</h2>
 *
 * <p>Every wait follows one pattern: the waiter announces that it waits (a volatile write), checks
 * its condition again, then parks; the waker changes the condition, then reads the announcement and
 * unparks. Volatile accesses are totally ordered, so if both sides' write comes before their read
 * (a full fence where the write is only a release store), either the waker sees the announcement or
 * the waiter sees the change; an unpark that comes before the park makes the park return at once.
 * The pairs:
 *
 * <ol>
 *   <li>Producer and idle worker. The producer publishes (the ring's release store), fences ({@link
 *       #signalWork}) and reads each worker's announcement; the worker announces SPINNING, and
 *       later PARKED, fences, and looks at the ring ({@link WorkerState#awaitWork}). A spinning
 *       worker sees the request by itself, so the producer does nothing; a parked one is claimed by
 *       a CAS back to NOT_WAITING, so exactly one producer pays its unpark.
 *   <li>Producer and batcher thread, waiting for WORK (a model with a max queue delay, or shutdown;
 *       see rule 8 for the others): {@link #beginWait} announces and fences, then the batcher looks
 *       at the ring; the producer's fence is the one of rule 1.
 *   <li>Worker and batcher thread, waiting for WORKER: a worker becoming idle ({@code running =
 *       null}) or taking the handed-over batch (a CAS) makes a volatile write, then reads the
 *       announcement in {@link #signalWorker}; no fence needed.
 *   <li>Holder of the batching role and idle worker: the holder puts a batch in the handoff (a
 *       volatile write) and then reads each worker's {@code running} to unpark an idle one; the
 *       worker clears {@code running}, then looks at the handoff before it waits. Either the holder
 *       sees it idle, or it sees the batch.
 *   <li>A worker or the shutdown caller, and the batcher thread, unconditionally ({@link
 *       #signalAlways}): a worker that leaves requests queued (for the delay, or for another
 *       instance) and the start of shutdown unpark the batcher whatever it waits for, since its
 *       deadline or reason may be stale; it then takes the role, and the role shows it the new
 *       state.
 *   <li>Shutdown and producers: the batcher sets {@code terminated}, fences and drains the ring to
 *       its claimed end; a producer publishes, fences (rule 1) and then reads {@code terminated}.
 *       Either the drain sees the request or the producer answers it itself; the request's own CAS
 *       makes the answer exactly-once.
 *   <li>Thread identity: the batcher and each worker record their thread first thing, before they
 *       look at any state; a waker that reads no thread yet has changed the state before, and the
 *       thread sees that change on its first look, so the lost unpark was not needed.
 *   <li>Producer and busy worker (no max queue delay): nothing to wake. A worker that finishes a
 *       batch forms its next one ({@link BatchingRole#formFor}); if it finds nothing it is marked
 *       idle before it gives the role back, and before it parks it announces and fences as in rule
 *       1, then looks at the ring. A producer that saw no worker spinning or parked published
 *       before that announcement, so the worker's look sees the request. A request drained out of
 *       the ring but left waiting (the batch was full) is the holder's to tell about: under the
 *       role it saw it, and after giving the role back it reads each worker's {@code running}; an
 *       idle one, marked under the role before, makes it wake the batcher (rule 5), which hands the
 *       request over (rule 4). A worker marked idle after, under the role too, formed it itself.
 * </ol>
 *
 * <p>The batching role itself is a flag taken by CAS and given back by a volatile write, so a
 * holder sees all that earlier holders wrote to the state it guards; a batch reaches the worker
 * that runs it through the volatile handoff, or is formed by that worker, so its arrays need
 * nothing more.
 *
 * <p>Cost: a producer pays a full fence, one or two volatile reads per worker told first (or one
 * for the batcher's announcement), and an unpark only when a worker or the batcher is actually
 * parked waiting for work. While every instance is busy, publishes wake no thread, so a busy
 * model's queue grows without context switches.
 *
 * <p>Thread-safe.
 */
final class Wakeups implements WaitStrategy {
  /** What the batcher thread waits for while parked. */
  enum BatcherWait {
    NOTHING,
    /** A published request. */
    WORK,
    /** A worker to become free, or to take the handed-over batch. */
    WORKER,
    /** Either (during shutdown). */
    WORK_OR_WORKER
  }

  private static final WorkerState[] NO_WORKERS = new WorkerState[0];
  private static final VarHandle WAITING_FOR;

  static {
    try {
      WAITING_FOR =
          MethodHandles.lookup().findVarHandle(Wakeups.class, "waitingFor", BatcherWait.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final WorkerState[] workersFirst;

  private volatile BatcherWait waitingFor = BatcherWait.NOTHING;
  private volatile boolean shuttingDown;

  // Recorded by the batcher thread itself (rule 7).
  private volatile Thread batcher;

  /**
   * @param workers the scheduler's workers
   * @param workersFirst whether a publish goes to an idle worker, and never to the batcher (until
   *     shutdown). Not with a max queue delay: the batcher keeps the delay's timer, so a worker
   *     told of the request would only have to wake the batcher in turn.
   */
  Wakeups(WorkerState[] workers, boolean workersFirst) {
    this.workersFirst = workersFirst ? workers.clone() : NO_WORKERS;
  }

  /** Called by the batcher thread first, before it looks at any state. */
  void batcherStarted() {
    batcher = Thread.currentThread();
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
   * Announces that the batcher is about to park for {@code reason}; the batcher must check its
   * condition again after this and before parking.
   */
  void beginWait(BatcherWait reason) {
    waitingFor = reason;
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

  /** Clears the announcement after parking (or after deciding not to). */
  void endWait() {
    waitingFor = BatcherWait.NOTHING;
  }

  /**
   * Called by a producer after publishing. When workers are told first, an idle worker forms the
   * batch itself: a request that finds the model idle costs one wake-up (the worker's) instead of
   * two (the batcher's, then the worker's when handed the batch), and none while a worker spins. A
   * spinning worker is preferred to a parked one, which would cost this producer an unpark. When
   * every worker is busy no one is woken (rule 8): the batcher would find no idle worker to serve
   * and only park again, at two context switches per busy spell.
   */
  void signalWork() {
    VarHandle.fullFence();
    if (shuttingDown || workersFirst.length == 0) {
      wake(BatcherWait.WORK);
      return;
    }
    for (WorkerState worker : workersFirst) {
      if (worker.isSpinning()) {
        return;
      }
    }
    for (WorkerState worker : workersFirst) {
      if (worker.unparkIfParked()) {
        return;
      }
    }
  }

  /** Called by a worker after it took a batch or became idle (rule 3). */
  void signalWorker() {
    wake(BatcherWait.WORKER);
  }

  /** Wakes the batcher whatever it waits for (rule 5). */
  void signalAlways() {
    LockSupport.unpark(batcher);
  }

  private void wake(BatcherWait reason) {
    BatcherWait waiting = waitingFor;
    if ((waiting == reason || waiting == BatcherWait.WORK_OR_WORKER)
        && WAITING_FOR.compareAndSet(this, waiting, BatcherWait.NOTHING)) {
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
