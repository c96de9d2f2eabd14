package io.ringserve.batching.internal;

import io.ringserve.batching.BatchPolicy;
import io.ringserve.batching.InferenceException;
import io.ringserve.batching.InferenceException.Reason;
import io.ringserve.batching.InferenceRequest;
import io.ringserve.batching.ModelRunner;
import io.ringserve.batching.ModelScheduler;
import io.ringserve.batching.ModelStatistics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's baseline: dynamic batching the way common Java model servers do it (DJL serving's
 * {@code BatchAggregator}): one {@link LinkedBlockingQueue}, and each worker thread takes the first
 * request, {@code drainTo}s what else is queued up to the max batch size, and {@code poll}s for
 * more until the first request's max queue delay is spent.
 *
 * <p>It lives in the scheduler's package (in the benchmark source set only) so that it runs the
 * very same {@link BatchExecutor} (concatenation, runner call, split, fan-out, statistics) as
 * {@link DisruptorModelScheduler}: the comparison measures queueing and batching, nothing else. It
 * knows no priorities, queue policies, shapes or ordering; the benchmark needs none of them.
 *
 * <p>Thread-safe: the queue's locks order everything.
 */
public final class BlockingQueueModelScheduler implements ModelScheduler {
  private final BatchPolicy policy;
  private final LinkedBlockingQueue<InferenceRequest> queue;
  private final StatisticsRecorder statistics;
  private final BatchExecutor executor;
  private final List<Thread> workers = new ArrayList<>();
  private final int maxBatchSize;
  private final long delayNanos;
  private volatile boolean running = true;

  /**
   * Starts one worker thread per runner.
   *
   * @param capacity the queue's bound; a full queue refuses with QUEUE_FULL as the real scheduler
   */
  public BlockingQueueModelScheduler(
      String modelName, BatchPolicy policy, List<? extends ModelRunner> instances, int capacity) {
    this.policy = policy;
    this.queue = new LinkedBlockingQueue<>(capacity);
    this.statistics = new StatisticsRecorder(policy.maxBatchSize());
    this.executor =
        new BatchExecutor(policy.batchesRequests(), new DirectCompletions(statistics), statistics);
    this.maxBatchSize = Math.max(1, policy.maxBatchSize());
    this.delayNanos = TimeUnit.MICROSECONDS.toNanos(policy.maxQueueDelayMicros());
    for (int i = 0; i < instances.size(); i++) {
      ModelRunner runner = instances.get(i);
      Thread thread = new Thread(() -> work(runner), "baseline-worker-" + modelName + "-" + i);
      thread.setDaemon(true);
      workers.add(thread);
      thread.start();
    }
  }

  @Override
  public void submit(InferenceRequest request) {
    if (!running) {
      request.fail(new InferenceException(Reason.UNAVAILABLE, "Server is shutting down"));
    } else if (!queue.offer(request)) {
      request.fail(new InferenceException(Reason.QUEUE_FULL, "Exceeds maximum queue size"));
    }
  }

  private void work(ModelRunner runner) {
    List<InferenceRequest> batch = new ArrayList<>(maxBatchSize);
    try {
      while (running) {
        InferenceRequest first = queue.take();
        batch.add(first);
        queue.drainTo(batch, maxBatchSize - 1);
        if (delayNanos > 0) {
          long deadline = first.arrivalNanos() + delayNanos;
          while (batch.size() < maxBatchSize) {
            long left = deadline - System.nanoTime();
            InferenceRequest next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
            if (next == null) {
              break;
            }
            batch.add(next);
            queue.drainTo(batch, maxBatchSize - batch.size());
          }
        }
        InferenceRequest[] requests = batch.toArray(new InferenceRequest[0]);
        long size = 0;
        for (InferenceRequest request : requests) {
          size += policy.batchesRequests() ? request.batchSize() : 1;
        }
        executor.execute(runner, new ScheduledBatch(requests, new long[requests.length], size));
        batch.clear();
      }
    } catch (InterruptedException stop) {
      // shutdown
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
    return queue.size();
  }

  @Override
  public void shutdown(Duration grace) {
    running = false;
    for (Thread worker : workers) {
      worker.interrupt();
    }
    for (Thread worker : workers) {
      try {
        worker.join(grace.toMillis() + 1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    InferenceRequest left;
    while ((left = queue.poll()) != null) {
      left.fail(new InferenceException(Reason.UNAVAILABLE, "Server is shutting down"));
    }
  }
}
