package io.ringserve.batching.internal;

import com.lmax.disruptor.RingBuffer;
import io.ringserve.batching.BatchPolicy;
import io.ringserve.batching.InferenceException;
import io.ringserve.batching.InferenceException.Reason;
import io.ringserve.batching.InferenceRequest;
import io.ringserve.batching.QueuePolicy.TimeoutAction;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The batching role of one model version, and all the state it guards: the ring's reader, the
 * pending queues, the batch former and the handoff. Whoever holds the role drains the ring into the
 * queues and forms the next batch; only one thread at a time does, so that state needs no other
 * synchronisation. Each method that touches that state takes the role itself and gives it back
 * before returning.
 *
 * <p>Who holds it: a {@link Worker} that has just finished a batch forms its own next one ({@link
 * #formFor}), so under load batches flow with no thread hand-off at all; an idle worker that a
 * producer woke does the same. The batcher thread ({@link DynamicBatcher}) takes it only for what
 * workers cannot do: form batches for idle workers (when a max queue delay ends, or requests were
 * left waiting), handing them over through the handoff, and shutdown ({@link #step}, {@link
 * #terminate}). A holder never blocks or runs a model while holding it, so a thread that finds it
 * taken spins only briefly.
 *
 * <p>Threading: {@link #formFor} and {@link #takeHandedOver} are called by workers, {@link #step}
 * and {@link #terminate} by the batcher thread, the queries by any thread. Memory ordering and
 * wake-ups: {@link Wakeups}.
 *
 * <p>Cost per request: one read from the ring slot and one append to a pending queue while
 * draining, one look while forming; no allocation or lock. Per batch: the role's CAS and volatile
 * release, and the batch's two arrays.
 */
final class BatchingRole {
  static final String SHUTTING_DOWN = "Server is shutting down";

  /** What the batcher thread does after a {@link #step}. */
  enum Step {
    /** A batch was handed over to an idle worker: step again. */
    HANDED_OVER,
    /** Wait until a worker takes the batch already in the handoff. */
    AWAIT_TAKE,
    /** Wait until a worker becomes idle; busy workers form their own next batches. */
    AWAIT_IDLE_WORKER,
    /**
     * Wait for a publish (when {@link #canDrainMore()}; only models with a max queue delay, and
     * shutdown, are woken by one) or until {@link #waitUntilNanos()}, when the oldest request's max
     * queue delay ends.
     */
    AWAIT_WORK,
    /** Shutdown is complete, or its grace period is over: {@link #terminate}. */
    EXIT
  }

  /** The most drains one look at the queue makes; see {@link #drainAndForm}. */
  private static final int MAX_DRAIN_PASSES = 16;

  private final AtomicBoolean held = new AtomicBoolean();

  @GuardedBy("BatchingRole.held")
  private final RingReader reader;

  @GuardedBy("BatchingRole.held")
  private final PendingRequests pending;

  @GuardedBy("BatchingRole.held")
  private final BatchFormer former;

  // Filled only by the holder, and only while empty; emptied by the worker that takes it (CAS),
  // without the role.
  private final AtomicReference<ScheduledBatch> handoff = new AtomicReference<>();

  private final int drainCap;
  private final WorkerState[] workers;
  private final Wakeups wakeups;
  private final Completions completions;
  private final QueueLimits limits;
  private final RingReader.SlotConsumer drainHandler = this::onDrained;
  private final RingReader.SlotConsumer rejectHandler = this::onRejected;

  // Written by step and read by the batcher thread right after it; confined to that thread.
  private long waitUntilNanos;
  private boolean canDrainMore;

  private volatile boolean stopRequested;
  private volatile long stopDeadlineNanos;

  // Set once, by the holder; see Wakeups, rule 6.
  private volatile boolean terminated;

  BatchingRole(
      RingBuffer<RequestSlot> ring,
      BatchPolicy policy,
      WorkerState[] workers,
      Wakeups wakeups,
      Completions completions,
      QueueLimits limits) {
    this.reader = new RingReader(ring);
    this.pending = new PendingRequests(policy);
    this.former = new BatchFormer(policy, pending, completions, limits);
    this.drainCap = drainCap(ring.getBufferSize(), policy, former, limits);
    this.workers = workers.clone();
    this.wakeups = wakeups;
    this.completions = completions;
    this.limits = limits;
  }

  /**
   * How many requests may wait drained, outside the ring.
   *
   * <p>With one priority level and no timeout that delays, the next batch is made of the oldest
   * requests alone, so draining just past one batch's worth is enough; the backlog stays in the
   * ring. Each request is then touched once, right before it runs, instead of at drain time and
   * again, after a backlog that pushed it out of the cache, at form time. Otherwise a later request
   * may go ahead of earlier ones (a higher level, or a timely request ahead of a delayed one), so
   * the ring is drained whole; unbounded levels are then held to the ring's size once drained too,
   * so the queue holds at most two rings' worth of requests.
   */
  private static int drainCap(
      int ringSize, BatchPolicy policy, BatchFormer former, QueueLimits limits) {
    int cap = limits.anyUnbounded() ? ringSize : Integer.MAX_VALUE;
    if (policy.priorityLevels() == 1
        && policy.queuePolicy(1).timeoutAction() != TimeoutAction.DELAY) {
      cap = Math.min(cap, former.maxRequestsPerBatch() + 1);
    }
    return cap;
  }

  // ---- Queries: any thread, without the role.

  /** True once the batcher stopped draining; a producer that publishes later answers itself. */
  boolean isTerminated() {
    return terminated;
  }

  /** True once shutdown has begun. */
  boolean isStopping() {
    return stopRequested;
  }

  /** When the shutdown's grace period ends; meaningful once {@link #isStopping}. */
  long stopDeadlineNanos() {
    return stopDeadlineNanos;
  }

  /** True if a request was published and not yet drained. */
  boolean hasPublished() {
    return reader.hasPublished();
  }

  /** True if no batch waits in the handoff. */
  boolean handoffEmpty() {
    return handoff.get() == null;
  }

  boolean anyIdle() {
    for (WorkerState worker : workers) {
      if (worker.isIdle()) {
        return true;
      }
    }
    return false;
  }

  boolean allIdle() {
    for (WorkerState worker : workers) {
      if (!worker.isIdle()) {
        return false;
      }
    }
    return true;
  }

  /** After {@link #step} returned {@link Step#AWAIT_WORK}: until when to wait at most. */
  long waitUntilNanos() {
    return waitUntilNanos;
  }

  /** After {@link #step} returned {@link Step#AWAIT_WORK}: whether a publish is worth a wake. */
  boolean canDrainMore() {
    return canDrainMore;
  }

  /** Begins shutdown; the batcher gives queued work until {@code deadlineNanos} to finish. */
  void requestStop(long deadlineNanos) {
    stopDeadlineNanos = deadlineNanos;
    stopRequested = true;
    wakeups.shutdownBegins();
  }

  // ---- Workers.

  /**
   * Takes the batch in the handoff for {@code worker}, if any; it is marked running before it
   * leaves the handoff, so shutdown always sees it. Returns {@code null} if there is none or
   * another worker took it first.
   */
  ScheduledBatch takeHandedOver(WorkerState worker) {
    ScheduledBatch batch = handoff.get();
    if (batch == null) {
      return null;
    }
    ScheduledBatch previous = worker.running();
    worker.markRunning(batch);
    if (!handoff.compareAndSet(batch, null)) {
      worker.markRunning(previous); // another worker took it first
      return null;
    }
    wakeups.signalWorker(); // the handoff is free again
    return batch;
  }

  /**
   * Forms {@code worker}'s next batch from what is queued and marks it as the worker's running
   * batch; {@code null} if there is none to run now (the queue is empty, the batch waits for the
   * max queue delay, a batch formed earlier waits in the handoff, or shutdown has begun), and for
   * the first two the worker is marked idle. The worker then looks at the handoff, and goes idle;
   * the batcher thread takes over.
   */
  ScheduledBatch formFor(WorkerState worker) {
    if (stopRequested) {
      // The batcher flushes the queue now; it may not know of a request a producer told this
      // worker about.
      wakeups.signalAlways();
      return null;
    }
    acquire();
    ScheduledBatch batch = null;
    boolean leftWaiting;
    try {
      if (terminated || handoff.get() != null) {
        // A batch formed earlier waits in the handoff: run that first, so that no later request
        // overtakes it (the worker's next look at the handoff takes it).
        return null;
      }
      if (drainAndForm(false) > 0) {
        batch = former.take();
      }
      // Before the role is released: shutdown always sees a batch formed, and a worker that finds
      // nothing is idle to the next holder, which then wakes the batcher for what it leaves
      // waiting, since this worker looks only at the ring before it parks (Wakeups, rule 8).
      worker.markRunning(batch);
      leftWaiting = pending.live() > 0;
    } finally {
      held.set(false);
    }
    if (leftWaiting && (batch == null || anyIdle())) {
      // Requests this worker drained are left waiting (for the delay, or for a free instance).
      // The batcher thread keeps the delay timer and serves idle workers, and may not know about
      // them: their publish woke no one while a worker was there to take them.
      wakeups.signalAlways();
    }
    return batch;
  }

  // ---- The batcher thread.

  /** One look at the queue for idle workers; says what to wait for next. */
  Step step(boolean stopping) {
    acquire();
    try {
      if (stopping
          && (System.nanoTime() - stopDeadlineNanos >= 0 || (nothingQueued() && allIdle()))) {
        return Step.EXIT;
      }
      if (handoff.get() != null) {
        return Step.AWAIT_TAKE;
      }
      if (!anyIdle()) {
        return Step.AWAIT_IDLE_WORKER;
      }
      if (drainAndForm(stopping) > 0) {
        handoff.set(former.take());
        wakeIdleWorker();
        return Step.HANDED_OVER;
      }
      // What the wait needs, read while the role keeps a worker from changing it.
      waitUntilNanos = former.waitUntilNanos();
      canDrainMore = pending.live() < drainCap;
      return Step.AWAIT_WORK;
    } finally {
      held.set(false);
    }
  }

  /**
   * Answers everything not yet answered (queued, in the ring, handed over, running) with
   * UNAVAILABLE and tells the workers to exit. Called once, by the batcher thread as it ends.
   */
  void terminate() {
    acquire();
    try {
      terminated = true;
      VarHandle.fullFence(); // Wakeups, rule 6
      InferenceException unavailable = new InferenceException(Reason.UNAVAILABLE, SHUTTING_DOWN);
      for (PendingQueue queue : pending.queues()) {
        for (int position = queue.head(); position != queue.tail(); position++) {
          InferenceRequest request = queue.requestAt(position);
          if (request != null) {
            long sequence = queue.sequenceAt(position);
            queue.remove(position);
            limits.release(queue.level());
            completions.fail(sequence, request, unavailable);
          }
        }
      }
      drainRejecting();
      failAll(handoff.get(), unavailable);
      for (WorkerState worker : workers) {
        failAll(worker.running(), unavailable);
      }
      completions.close();
    } finally {
      held.set(false);
    }
    for (WorkerState worker : workers) {
      worker.requestExit();
    }
  }

  // ---- Under the role.

  /**
   * Holders never block, so a short spin usually suffices; yielding after it keeps a holder that
   * was preempted (2 cores, many threads) from being starved by the spinner.
   */
  private void acquire() {
    int spins = 0;
    while (!held.compareAndSet(false, true)) {
      if (++spins < 100) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
    }
  }

  /**
   * Drains the ring and looks for a batch to dispatch, draining again while the batch could still
   * take requests that wait in the ring (see {@link #drainCap}); returns {@link BatchFormer#form}'s
   * count.
   */
  private int drainAndForm(boolean flush) {
    long now = System.nanoTime();
    drain();
    int count = former.form(now, flush);
    // Bounded, so that producers publishing requests that form drops (cancelled, expired) as fast
    // as they are read cannot hold the role forever; a batch formed early is still a valid batch.
    for (int pass = 1;
        pass < MAX_DRAIN_PASSES
            && former.couldTakeMore()
            && pending.live() < drainCap
            && reader.hasPublished();
        pass++) {
      drain();
      count = former.form(now, flush);
    }
    return count;
  }

  private void drain() {
    int budget = drainCap - pending.live();
    if (budget > 0) {
      reader.read(budget, drainHandler);
    }
  }

  private void onDrained(RequestSlot slot, long sequence) {
    InferenceRequest request = slot.request;
    int level = slot.level;
    slot.request = null;
    pending.add(level, request, sequence);
  }

  /** Wakes one idle worker for the batch just handed over (Wakeups, rule 4). */
  private void wakeIdleWorker() {
    for (WorkerState worker : workers) {
      if (worker.isIdle()) {
        worker.wake();
        return;
      }
    }
  }

  private boolean nothingQueued() {
    return pending.live() == 0 && handoff.get() == null && reader.caughtUp();
  }

  private void failAll(ScheduledBatch batch, InferenceException failure) {
    if (batch != null) {
      for (int i = 0; i < batch.requests.length; i++) {
        completions.fail(batch.sequences[i], batch.requests[i], failure);
      }
    }
  }

  /** Drains the ring to its claimed end, waiting out producers between claim and publish. */
  private void drainRejecting() {
    while (true) {
      reader.read(Integer.MAX_VALUE, rejectHandler);
      if (reader.caughtUp()) {
        return;
      }
      // A producer claimed a slot and has not published yet: a few instructions away.
      Thread.yield();
    }
  }

  private void onRejected(RequestSlot slot, long sequence) {
    InferenceRequest request = slot.request;
    int level = slot.level;
    slot.request = null;
    limits.release(level);
    completions.fail(sequence, request, new InferenceException(Reason.UNAVAILABLE, SHUTTING_DOWN));
  }
}
