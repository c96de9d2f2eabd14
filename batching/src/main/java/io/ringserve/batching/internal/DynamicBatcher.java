package io.ringserve.batching.internal;

import com.lmax.disruptor.RingBuffer;
import io.ringserve.batching.InferenceException;
import io.ringserve.batching.InferenceException.Reason;
import io.ringserve.batching.InferenceRequest;
import io.ringserve.batching.QueuePolicy;
import io.ringserve.batching.QueuePolicy.TimeoutAction;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Forms the batches of one model version: drains the ring buffer into the per-level {@link
 * PendingRequests} and lets the {@link BatchFormer} pick the next batch, only when a worker is free
 * to run it, so that while every instance is busy requests pile up and batches grow by themselves.
 *
 * <p>Who forms a batch: the batcher thread ({@link #run()}) does it for idle workers, handing the
 * batch over through the {@link Handoff}; it also keeps the max-queue-delay timer and runs the
 * shutdown. A worker that has just finished a batch forms its own next one ({@link #nextBatchFor}),
 * so under load batches flow with no thread hand-off at all: waking a parked thread costs several
 * microseconds on a virtual machine, as much as a whole batch's bookkeeping. Only one thread forms
 * at a time: the ring reader, the pending queues and the former belong to whoever holds the
 * batching role (a CAS flag; a holder never blocks while holding it, so others spin for it only
 * briefly).
 *
 * <p>Waiting: with nothing to do the batcher thread parks until a producer publishes (while a
 * worker is idle and the model has a max queue delay; with none, an idle worker is told instead), a
 * worker becomes idle, the oldest request's delay ends, or shutdown begins. It never spins:
 * whenever its prompt reaction would matter, an idle worker is already spinning on the ring and
 * forms the batch itself, so a spinning batcher would only take CPU from the producers and the
 * workers (docs/PERFORMANCE.md, "the batcher thread no longer spins").
 *
 * <p>Shutdown: once asked to stop, batches are formed without waiting for the delay until nothing
 * is queued and every worker is idle, or the grace period ends; then the batcher answers what is
 * left (queued, in the ring, handed over, running) with UNAVAILABLE and tells the workers to exit.
 *
 * <p>Threading: {@link #requestStop} and {@link #isTerminated} may be called from any thread;
 * {@link #nextBatchFor} by workers; the rest runs on the batcher thread.
 */
final class DynamicBatcher implements Runnable {
  static final String SHUTTING_DOWN = "Server is shutting down";

  /** The most drains one look at the queue makes; see {@link #drainAndForm}. */
  private static final int MAX_DRAIN_PASSES = 16;

  private static final System.Logger LOG = System.getLogger(DynamicBatcher.class.getName());

  private final RingReader reader;
  private final PendingRequests pending;
  private final BatchFormer former;
  private final Worker[] workers;
  private final Handoff handoff;
  private final BatcherWakeup wakeup;
  private final Completions completions;
  private final QueueLimits limits;
  private final QueuePolicy[] queuePolicies;
  private final int drainCap;
  private final AtomicBoolean role = new AtomicBoolean();
  private final RingReader.SlotConsumer drainHandler = this::onDrained;
  private final RingReader.SlotConsumer rejectHandler = this::onRejected;
  private final BooleanSupplier anyIdle = this::anyIdle;
  private final BooleanSupplier handoffEmpty;

  // Set by step for awaitWork, both on the batcher thread.
  private long workDeadlineNanos;
  private boolean canDrainMore;

  private volatile boolean stopRequested;
  private volatile long stopDeadlineNanos;
  private volatile boolean terminated;

  DynamicBatcher(
      RingBuffer<RequestSlot> ring,
      PendingRequests pending,
      BatchFormer former,
      Worker[] workers,
      Handoff handoff,
      BatcherWakeup wakeup,
      Completions completions,
      QueueLimits limits,
      QueuePolicy[] queuePolicies) {
    this.reader = new RingReader(ring);
    this.pending = pending;
    this.former = former;
    this.workers = workers;
    this.handoff = handoff;
    this.handoffEmpty = handoff::isEmpty;
    this.wakeup = wakeup;
    this.completions = completions;
    this.limits = limits;
    this.queuePolicies = queuePolicies;
    this.drainCap = drainCap(ring, former, limits, queuePolicies);
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
      RingBuffer<RequestSlot> ring, BatchFormer former, QueueLimits limits, QueuePolicy[] levels) {
    int cap = limits.anyUnbounded() ? ring.getBufferSize() : Integer.MAX_VALUE;
    if (levels.length == 2 && levels[1].timeoutAction() != TimeoutAction.DELAY) {
      cap = Math.min(cap, former.maxRequestsPerBatch() + 1);
    }
    return cap;
  }

  /** True once the batcher stopped draining; a producer that publishes later answers itself. */
  boolean isTerminated() {
    return terminated;
  }

  /** True once shutdown has begun; any thread may ask. */
  boolean isStopping() {
    return stopRequested;
  }

  /** True if a request was published and not yet drained; any thread may ask. */
  boolean hasPublished() {
    return reader.hasPublished();
  }

  /** Begins shutdown; the batcher gives queued work until {@code deadlineNanos} to finish. */
  void requestStop(long deadlineNanos) {
    stopDeadlineNanos = deadlineNanos;
    stopRequested = true;
    wakeup.shutdownBegins();
  }

  /**
   * Called by a worker that finished a batch: forms its next batch from what is queued, marks it as
   * the worker's running batch and returns it; {@code null} if there is none to run now (the queue
   * is empty, the batch waits for the max queue delay, a batch formed earlier waits in the handoff,
   * or shutdown has begun), in which case the worker looks at the handoff, then goes idle and the
   * batcher thread takes over.
   */
  ScheduledBatch nextBatchFor(Worker worker) {
    if (stopRequested) {
      // The batcher flushes the queue now; it may not know of a request a producer told this
      // worker about.
      wakeup.signalAlways();
      return null;
    }
    acquireRole();
    ScheduledBatch batch = null;
    boolean leftWaiting;
    try {
      if (terminated || !handoff.isEmpty()) {
        // A batch formed earlier waits in the handoff: run that first, so that no later request
        // overtakes it (the worker's next look at the handoff takes it).
        return null;
      }
      if (drainAndForm(false) > 0) {
        batch = former.take();
        worker.markRunning(batch); // before the role is released, so shutdown always sees it
      }
      leftWaiting = pending.live() > 0;
    } finally {
      role.set(false);
    }
    if (leftWaiting && (batch == null || anyIdle())) {
      // Requests this worker drained are left waiting (for the delay, or for a free instance).
      // The batcher thread keeps the delay timer and serves idle workers, and may not know about
      // them: their publish woke no one while a worker was there to take them.
      wakeup.signalAlways();
    }
    return batch;
  }

  @Override
  public void run() {
    try {
      loop();
    } catch (Throwable unexpected) {
      LOG.log(System.Logger.Level.ERROR, "batcher failed; answering queued requests", unexpected);
    } finally {
      terminate();
    }
  }

  private static final int EXIT = 0;
  private static final int AGAIN = 1;
  private static final int AWAIT_TAKE = 2;
  private static final int AWAIT_IDLE = 3;
  private static final int AWAIT_WORK = 4;

  private void loop() throws Exception {
    while (true) {
      boolean stopping = stopRequested;
      switch (step(stopping)) {
        case EXIT:
          return;
        case AWAIT_TAKE:
          awaitWorker(stopping, handoffEmpty);
          break;
        case AWAIT_IDLE:
          awaitWorker(stopping, anyIdle);
          break;
        case AWAIT_WORK:
          awaitWork(stopping);
          break;
        default:
          break;
      }
    }
  }

  /** One look at the queue, holding the role; returns what to wait for next. */
  private int step(boolean stopping) {
    acquireRole();
    try {
      if (stopping
          && (System.nanoTime() - stopDeadlineNanos >= 0 || (nothingQueued() && allIdle()))) {
        return EXIT;
      }
      if (!handoff.isEmpty()) {
        return AWAIT_TAKE; // the last batch handed over has not been taken yet
      }
      if (!anyIdle()) {
        // Workers form their own next batches; meanwhile requests pile up in the ring.
        return AWAIT_IDLE;
      }
      if (drainAndForm(stopping) > 0) {
        handoff.put(former.take());
        wakeIdleWorker();
        return AGAIN;
      }
      // What awaitWork needs, read while the role keeps a worker from changing it.
      workDeadlineNanos = former.waitUntilNanos();
      canDrainMore = pending.live() < drainCap;
      return AWAIT_WORK;
    } finally {
      role.set(false);
    }
  }

  /**
   * Takes the batching role. Holders never block, so a short spin usually suffices; yielding after
   * it keeps a holder that was preempted (2 cores, many threads) from being starved by the spinner.
   */
  private void acquireRole() {
    int spins = 0;
    while (!role.compareAndSet(false, true)) {
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

  /**
   * Wakes one idle worker for the batch just handed over. The volatile put and this read of {@code
   * running} close the race with a worker that went idle while the batch was formed: either it is
   * seen idle here, or it sees the batch.
   */
  private void wakeIdleWorker() {
    for (Worker worker : workers) {
      if (worker.isIdle()) {
        worker.wake();
        return;
      }
    }
  }

  private boolean anyIdle() {
    for (Worker worker : workers) {
      if (worker.isIdle()) {
        return true;
      }
    }
    return false;
  }

  private boolean allIdle() {
    for (Worker worker : workers) {
      if (!worker.isIdle()) {
        return false;
      }
    }
    return true;
  }

  private boolean nothingQueued() {
    return pending.live() == 0 && handoff.isEmpty() && reader.caughtUp();
  }

  /**
   * Parks until {@code ready} (a worker took the handed-over batch, or one became idle). Publishes
   * do not wake the batcher meanwhile, so a busy model's queue grows without wake-ups.
   */
  private void awaitWorker(boolean stopping, BooleanSupplier ready) {
    wakeup.beginWait(BatcherWakeup.WORKER);
    if (!stopRequested && !ready.getAsBoolean()) {
      wakeup.park(stopping ? stopDeadlineNanos : Long.MAX_VALUE);
    }
    wakeup.endWait();
  }

  /** Parks until a publish, the former's delay deadline, or (when stopping) a worker finishing. */
  private void awaitWork(boolean stopping) {
    long until = workDeadlineNanos;
    if (stopping) {
      // Nothing to dispatch, but running batches may still finish within the grace period.
      wakeup.beginWait(BatcherWakeup.WORK | BatcherWakeup.WORKER);
      if (!reader.hasPublished() && !allIdle()) {
        wakeup.park(Math.min(until, stopDeadlineNanos));
      }
      wakeup.endWait();
      return;
    }
    wakeup.beginWait(BatcherWakeup.WORK);
    if (!stopRequested && !(canDrainMore && reader.hasPublished())) {
      wakeup.park(until);
    }
    wakeup.endWait();
  }

  /** Answers everything not yet answered with UNAVAILABLE and lets the workers go. */
  private void terminate() {
    acquireRole();
    try {
      terminated = true;
      // Pairs with the producers' fence after publish: a producer either sees terminated and
      // answers its own request, or published early enough for the drain below to see it.
      VarHandle.fullFence();
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
      failAll(handoff.peek(), unavailable);
      for (Worker worker : workers) {
        failAll(worker.running(), unavailable);
      }
      completions.close();
    } finally {
      role.set(false);
    }
    for (Worker worker : workers) {
      worker.requestExit();
    }
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
