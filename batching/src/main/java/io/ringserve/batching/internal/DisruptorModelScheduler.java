package io.ringserve.batching.internal;

import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import io.ringserve.batching.BatchDimension;
import io.ringserve.batching.BatchPolicy;
import io.ringserve.batching.InferenceException;
import io.ringserve.batching.InferenceException.Reason;
import io.ringserve.batching.InferenceRequest;
import io.ringserve.batching.ModelRunner;
import io.ringserve.batching.ModelScheduler;
import io.ringserve.batching.ModelStatistics;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ModelScheduler} on one LMAX Disruptor ring buffer: producers claim and publish slots
 * (multi-producer, lock-free, never blocking), one {@link Worker} thread per model instance runs
 * batches and forms its own next one under the {@link BatchingRole}, and one {@link DynamicBatcher}
 * thread forms batches for idle workers after a max queue delay and runs the shutdown.
 *
 * <p>Cost of {@link #submit}: a few checks, a CAS on the ring's cursor (plus one on the level's
 * counter when the level has a {@code max_queue_size}), a release store and a full fence; an unpark
 * only when an idle worker or the batcher sleeps for want of work. No locks, no allocation.
 *
 * <p>Thread-safe. Threads are daemons, so a forgotten scheduler does not keep the JVM alive; the
 * server stops its schedulers explicitly.
 */
public final class DisruptorModelScheduler implements ModelScheduler {
  private static final String QUEUE_FULL = "Exceeds maximum queue size";

  /** Extra time {@link #shutdown} waits for running batches after answering their requests. */
  private static final long RUNNER_EXIT_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final String modelName;
  private final BatchPolicy policy;
  private final RingBuffer<RequestSlot> ring;
  private final QueueLimits limits;
  private final StatisticsRecorder statistics;
  private final Completions completions;
  private final BatchingRole role;
  private final Thread batcherThread;
  private final Thread[] workerThreads;
  private final ThreadFailures failures = new ThreadFailures();
  private final Object lifecycle = new Object();
  private volatile boolean accepting = true;

  /** Builds everything in dependency order; {@link #start} starts the threads. */
  private DisruptorModelScheduler(
      String modelName, BatchPolicy policy, List<? extends ModelRunner> instances) {
    this.modelName = modelName;
    this.policy = policy;
    this.limits = new QueueLimits(policy);
    this.statistics = new StatisticsRecorder(policy.maxBatchSize());
    this.completions = Completions.create(policy.preserveOrdering(), statistics);
    WorkerState[] workers = new WorkerState[instances.size()];
    long maxSpinNanos = SpinThenPark.defaultMaxSpinNanos();
    for (int i = 0; i < workers.length; i++) {
      workers[i] = new WorkerState(maxSpinNanos);
    }
    Wakeups wakeups = new Wakeups(workers, policy.maxQueueDelayMicros() == 0);
    this.ring =
        RingBuffer.createMultiProducer(
            RequestSlot::new, RingSizing.ringSize(policy, limits), wakeups);
    this.role = new BatchingRole(ring, policy, workers, wakeups, completions, limits);
    BatchExecutor executor = new BatchExecutor(policy.batchesRequests(), completions, statistics);
    this.workerThreads = new Thread[workers.length];
    for (int i = 0; i < workers.length; i++) {
      Worker worker = new Worker(workers[i], instances.get(i), executor, role, wakeups, failures);
      workerThreads[i] = daemon(worker, "ringserve-worker-" + modelName + "-" + i);
    }
    this.batcherThread =
        daemon(new DynamicBatcher(role, wakeups, failures), "ringserve-batcher-" + modelName);
  }

  private static Thread daemon(Runnable loop, String name) {
    Thread thread = new Thread(loop, name);
    thread.setDaemon(true);
    return thread;
  }

  /**
   * Starts a scheduler with one worker per runner.
   *
   * @throws IllegalArgumentException if the name is empty or there is no runner
   */
  public static DisruptorModelScheduler start(
      String modelName, BatchPolicy policy, List<? extends ModelRunner> instances) {
    Objects.requireNonNull(modelName, "modelName");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(instances, "instances");
    if (modelName.isEmpty()) {
      throw new IllegalArgumentException("modelName must not be empty");
    }
    if (instances.isEmpty()) {
      throw new IllegalArgumentException("instances must hold at least one runner");
    }
    for (int i = 0; i < instances.size(); i++) {
      Objects.requireNonNull(instances.get(i), "instances[" + i + "]");
    }
    DisruptorModelScheduler scheduler = new DisruptorModelScheduler(modelName, policy, instances);
    for (Thread worker : scheduler.workerThreads) {
      worker.start();
    }
    scheduler.batcherThread.start();
    return scheduler;
  }

  @Override
  public void submit(InferenceRequest request) {
    Objects.requireNonNull(request, "request");
    if (!accepting) {
      refuse(request, Reason.UNAVAILABLE, BatchingRole.SHUTTING_DOWN);
      return;
    }
    int level;
    try {
      level = policy.levelFor(request.priorityLevel());
    } catch (IllegalArgumentException badPriority) {
      refuse(request, Reason.INVALID_INPUT, badPriority.getMessage());
      return;
    }
    if (policy.batchesRequests()) {
      String problem = BatchDimension.problem(modelName, policy.maxBatchSize(), request.inputs());
      if (problem != null) {
        refuse(request, Reason.INVALID_INPUT, problem);
        return;
      }
    }
    if (!limits.tryAcquire(level)) {
      refuse(request, Reason.QUEUE_FULL, QUEUE_FULL);
      return;
    }
    long sequence;
    try {
      sequence = ring.tryNext();
    } catch (InsufficientCapacityException full) {
      limits.release(level);
      refuse(request, Reason.QUEUE_FULL, QUEUE_FULL);
      return;
    }
    RequestSlot slot = ring.get(sequence);
    slot.request = request;
    slot.level = level;
    ring.publish(sequence); // the wait strategy (Wakeups) fences and wakes a worker or the batcher
    if (role.isTerminated()) {
      completions.fail(
          sequence,
          request,
          new InferenceException(Reason.UNAVAILABLE, BatchingRole.SHUTTING_DOWN));
    }
  }

  @Override
  public InferenceException fullQueueRefusal() {
    // With several levels the request's own (in its parameters, unread) decides; submit does.
    if (!accepting || policy.priorityLevels() != 1) {
      return null;
    }
    if (!limits.isFull(1) && ring.remainingCapacity() > 0) {
      return null;
    }
    return new InferenceException(Reason.QUEUE_FULL, QUEUE_FULL);
  }

  @Override
  public void countRefused() {
    statistics.failed(1, 0);
  }

  private void refuse(InferenceRequest request, Reason reason, String message) {
    if (Callbacks.fail(request, new InferenceException(reason, message))) {
      statistics.failed(1, System.nanoTime() - request.arrivalNanos());
    }
  }

  @Override
  public BatchPolicy policy() {
    return policy;
  }

  @Override
  public ModelStatistics statistics() {
    return statistics.snapshot();
  }

  @Override
  public int pendingRequests() {
    long admitted = ring.getCursor() + 1;
    long pending = admitted - statistics.answeredCount();
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, pending));
  }

  @Override
  public String failure() {
    String failed = failures.first();
    if (failed != null || !accepting) {
      return failed;
    }
    if (!batcherThread.isAlive()) {
      return "thread " + batcherThread.getName() + " ended";
    }
    for (Thread worker : workerThreads) {
      if (!worker.isAlive()) {
        return "thread " + worker.getName() + " ended";
      }
    }
    return null;
  }

  @Override
  public void shutdown(Duration grace) {
    Objects.requireNonNull(grace, "grace");
    if (grace.isNegative()) {
      throw new IllegalArgumentException("grace must not be negative, got " + grace);
    }
    long now = System.nanoTime();
    long graceNanos = saturatedNanos(grace);
    synchronized (lifecycle) {
      if (accepting) {
        accepting = false;
        role.requestStop(now + graceNanos);
      }
    }
    Thread self = Thread.currentThread();
    if (self == batcherThread || isWorkerThread(self)) {
      return; // called from a callback: joining our own thread would never return
    }
    joinUninterruptibly(batcherThread, Long.MAX_VALUE);
    long deadline = System.nanoTime() + RUNNER_EXIT_WAIT_NANOS;
    for (Thread worker : workerThreads) {
      joinUninterruptibly(worker, deadline);
    }
  }

  @Override
  public boolean isTerminated() {
    if (batcherThread.isAlive()) {
      return false;
    }
    for (Thread worker : workerThreads) {
      if (worker.isAlive()) {
        return false;
      }
    }
    return true;
  }

  private boolean isWorkerThread(Thread thread) {
    for (Thread worker : workerThreads) {
      if (worker == thread) {
        return true;
      }
    }
    return false;
  }

  private static long saturatedNanos(Duration duration) {
    try {
      return Math.min(duration.toNanos(), Long.MAX_VALUE / 4);
    } catch (ArithmeticException overflow) {
      return Long.MAX_VALUE / 4;
    }
  }

  private static void joinUninterruptibly(Thread thread, long deadlineNanos) {
    boolean interrupted = false;
    try {
      while (thread.isAlive()) {
        long left = deadlineNanos == Long.MAX_VALUE ? 0 : deadlineNanos - System.nanoTime();
        if (deadlineNanos != Long.MAX_VALUE && left <= 0) {
          return;
        }
        try {
          if (deadlineNanos == Long.MAX_VALUE) {
            thread.join();
          } else {
            TimeUnit.NANOSECONDS.timedJoin(thread, left);
          }
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return "DisruptorModelScheduler{" + modelName + ", " + policy + "}";
  }
}
