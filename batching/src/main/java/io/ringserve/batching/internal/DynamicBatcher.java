package io.ringserve.batching.internal;

import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.RingBuffer;
import io.ringserve.batching.InferenceException;
import io.ringserve.batching.InferenceException.Reason;
import io.ringserve.batching.InferenceRequest;
import io.ringserve.batching.QueuePolicy;

/**
 * The batcher thread of one model version: waits until a worker is free, drains the ring buffer
 * into the per-level {@link PendingRequests}, lets the {@link BatchFormer} pick a batch and hands
 * it to the free worker.
 *
 * <p>It pulls from the ring only when a worker is free. While every instance is busy it parks and
 * requests pile up in the ring, so the next batch is as large as the policy allows ("adaptive
 * batching") and publishes cost producers no wake-ups. It never spins: with nothing to do it parks
 * until a producer, a worker, the max queue delay or shutdown wakes it.
 *
 * <p>Shutdown: once asked to stop, it dispatches without waiting for the delay until nothing is
 * queued and every worker is idle, or the grace period ends; then it answers what is left (queued,
 * in the ring, and in running batches) with UNAVAILABLE and tells the workers to exit.
 *
 * <p>Threading: {@link #run()} runs on the batcher thread, which alone owns the poller, the pending
 * queues and the former. {@link #requestStop} may be called from any thread.
 */
final class DynamicBatcher implements Runnable {
  static final String SHUTTING_DOWN = "Server is shutting down";
  private static final System.Logger LOG = System.getLogger(DynamicBatcher.class.getName());

  private final RingBuffer<RequestSlot> ring;
  private final EventPoller<RequestSlot> poller;
  private final PendingRequests pending;
  private final BatchFormer former;
  private final Worker[] workers;
  private final BatcherWakeup wakeup;
  private final Completions completions;
  private final QueueLimits limits;
  private final QueuePolicy[] queuePolicies;
  private final int drainCap;
  private final EventPoller.Handler<RequestSlot> drainHandler = this::onDrained;
  private final EventPoller.Handler<RequestSlot> rejectHandler = this::onRejected;

  private volatile boolean stopRequested;
  private volatile long stopDeadlineNanos;
  private volatile boolean terminated;
  private int nextWorker;

  DynamicBatcher(
      RingBuffer<RequestSlot> ring,
      PendingRequests pending,
      BatchFormer former,
      Worker[] workers,
      BatcherWakeup wakeup,
      Completions completions,
      QueueLimits limits,
      QueuePolicy[] queuePolicies) {
    this.ring = ring;
    this.poller = ring.newPoller();
    ring.addGatingSequences(poller.getSequence());
    this.pending = pending;
    this.former = former;
    this.workers = workers;
    this.wakeup = wakeup;
    this.completions = completions;
    this.limits = limits;
    this.queuePolicies = queuePolicies;
    // Unbounded levels are held to the ring's size once drained too, so an unbounded queue holds
    // at most two rings' worth of requests instead of growing without limit.
    this.drainCap = limits.anyUnbounded() ? ring.getBufferSize() : Integer.MAX_VALUE;
  }

  /** True once the batcher stopped draining; a producer that publishes later answers itself. */
  boolean isTerminated() {
    return terminated;
  }

  /** Begins shutdown; the batcher gives queued work until {@code deadlineNanos} to finish. */
  void requestStop(long deadlineNanos) {
    stopDeadlineNanos = deadlineNanos;
    stopRequested = true;
    wakeup.signalAlways();
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

  private void loop() throws Exception {
    while (true) {
      boolean stopping = stopRequested;
      if (stopping
          && (System.nanoTime() - stopDeadlineNanos >= 0 || (nothingQueued() && allIdle()))) {
        return;
      }
      Worker idle = find(true);
      Worker busy = idle == null ? find(false) : null;
      if (idle == null && busy == null) {
        awaitWorker(stopping, false); // every inbox is full
        continue;
      }
      if (pending.live() < drainCap) {
        poller.poll(drainHandler);
      }
      int formed = former.form(System.nanoTime(), stopping);
      if (idle != null) {
        if (formed > 0) {
          dispatch(idle, former.take());
        } else {
          awaitWork(stopping);
        }
      } else if (formed > 0 && former.formedClosed()) {
        dispatch(busy, former.take()); // staged: it could not grow by waiting
      } else {
        // Partial batches wait for an idle worker, so they keep growing meanwhile.
        awaitWorker(stopping, true);
      }
    }
  }

  private boolean onDrained(RequestSlot slot, long sequence, boolean endOfBatch) {
    InferenceRequest request = slot.request;
    int level = slot.level;
    slot.request = null;
    long timeoutMicros = queuePolicies[level].effectiveTimeoutMicros(request.timeoutMicros());
    long timeoutAt =
        timeoutMicros == 0
            ? PendingQueue.NO_TIMEOUT
            : request.arrivalNanos() + Math.min(timeoutMicros, Long.MAX_VALUE / 2000) * 1000;
    pending.add(level, request, sequence, timeoutAt);
    return pending.live() < drainCap;
  }

  /**
   * The first worker, starting after the one last given a batch (so that every instance and its
   * runner's warm state gets used), that is idle, or if {@code idle} is false, that is busy with an
   * empty inbox.
   */
  private Worker find(boolean idle) {
    int n = workers.length;
    for (int i = 0; i < n; i++) {
      Worker worker = workers[(nextWorker + i) % n];
      if (idle ? worker.isIdle() : worker.canAccept()) {
        return worker;
      }
    }
    return null;
  }

  private void dispatch(Worker worker, ScheduledBatch batch) {
    for (int i = 0; i < workers.length; i++) {
      if (workers[i] == worker) {
        nextWorker = (i + 1) % workers.length;
      }
    }
    worker.assign(batch);
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
    return pending.live() == 0 && ring.getCursor() == poller.getSequence().get();
  }

  private boolean ringHasPublished() {
    return ring.isAvailable(poller.getSequence().get() + 1);
  }

  /**
   * Parks until a worker becomes idle, or with {@code idleOnly} false, until any inbox empties;
   * publishes do not wake the batcher meanwhile, so a busy model's queue grows without wake-ups.
   */
  private void awaitWorker(boolean stopping, boolean idleOnly) {
    wakeup.beginWait(BatcherWakeup.WORKER);
    if (!stopRequested && !anyWorker(idleOnly)) {
      wakeup.park(stopping ? stopDeadlineNanos : Long.MAX_VALUE);
    }
    wakeup.endWait();
  }

  private boolean anyWorker(boolean idleOnly) {
    for (Worker worker : workers) {
      if (idleOnly ? worker.isIdle() : worker.canAccept()) {
        return true;
      }
    }
    return false;
  }

  private void awaitWork(boolean stopping) {
    long until = former.waitUntilNanos();
    if (stopping) {
      // Nothing to dispatch, but running batches may still finish within the grace period.
      wakeup.beginWait(BatcherWakeup.WORK | BatcherWakeup.WORKER);
      if (!ringHasPublished() && !allIdle()) {
        wakeup.park(Math.min(until, stopDeadlineNanos));
      }
      wakeup.endWait();
      return;
    }
    wakeup.beginWait(BatcherWakeup.WORK);
    boolean canDrain = pending.live() < drainCap;
    if (!stopRequested && !(canDrain && ringHasPublished())) {
      wakeup.park(until);
    }
    wakeup.endWait();
  }

  /** Answers everything not yet answered with UNAVAILABLE and lets the workers go. */
  private void terminate() {
    terminated = true;
    // Pairs with the producers' fence after publish: a producer either sees terminated and answers
    // its own request, or published early enough for the drain below to see it.
    java.lang.invoke.VarHandle.fullFence();
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
    for (Worker worker : workers) {
      failAll(worker.waiting(), unavailable);
      failAll(worker.running(), unavailable);
    }
    completions.close();
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
      try {
        poller.poll(rejectHandler);
      } catch (Exception impossible) {
        throw new IllegalStateException(impossible);
      }
      if (ring.getCursor() == poller.getSequence().get()) {
        return;
      }
      // A producer claimed a slot and has not published yet: a few instructions away.
      Thread.yield();
    }
  }

  private boolean onRejected(RequestSlot slot, long sequence, boolean endOfBatch) {
    InferenceRequest request = slot.request;
    int level = slot.level;
    slot.request = null;
    limits.release(level);
    completions.fail(sequence, request, new InferenceException(Reason.UNAVAILABLE, SHUTTING_DOWN));
    return true;
  }
}
