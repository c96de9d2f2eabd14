package io.ringserve.batching.jmh;

import io.ringserve.batching.Batch;
import io.ringserve.batching.BatchPolicy;
import io.ringserve.batching.DataType;
import io.ringserve.batching.InferenceCallback;
import io.ringserve.batching.InferenceException;
import io.ringserve.batching.InferenceRequest;
import io.ringserve.batching.ModelRunner;
import io.ringserve.batching.ModelScheduler;
import io.ringserve.batching.ModelSchedulers;
import io.ringserve.batching.ModelStatistics;
import io.ringserve.batching.Tensor;
import io.ringserve.batching.internal.BlockingQueueModelScheduler;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Requests per second through the whole batching core: submit, queue, batch, a runner that does no
 * work, split and fan-out to each request's callback.
 *
 * <p>{@link #disruptor} goes through {@link ModelSchedulers} (Disruptor ring, batcher thread, one
 * worker). {@link #blockingQueueBaseline} goes through a {@code LinkedBlockingQueue} drained by the
 * worker with {@code drainTo} and a delay-bounded {@code poll}, DJL serving's way. Both run the
 * same executor code after the queue, the same runner, the same requests and callbacks.
 *
 * <p>Each JMH thread is a producer: one operation submits one request. Producers run open-ended
 * with a bounded window: each may have {@value #WINDOW} requests unanswered, and waits for an
 * answer when its window is full, so the figure is the sustained completion rate (the window keeps
 * the queue below the ring's capacity, so nothing is refused). Choose the producer count with JMH's
 * {@code -t} (1, 2 and 4 in docs/PERFORMANCE.md); every request has batch dimension 1.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(2)
public class BatcherThroughputBenchmark {
  /** Unanswered requests a producer may have. */
  static final int WINDOW = 1024;

  /** Queue capacity for both schedulers; above 4 producers' windows. */
  static final int QUEUE_CAPACITY = 8192;

  @Param({"1", "8", "64"})
  public int maxBatchSize;

  /** Triton's default is 0: batches grow only while the instance is busy. */
  @Param({"0"})
  public long maxQueueDelayMicros;

  private ModelScheduler disruptor;
  private ModelScheduler baseline;

  private static final List<Tensor> INPUTS =
      List.of(Tensor.of("IN", DataType.FP32, new long[] {1, 4}, ByteBuffer.allocate(16)));

  /** Returns its input as the output: no compute, but a real output to split per request. */
  static final class NoOpRunner implements ModelRunner {
    @Override
    public List<Tensor> run(Batch batch) {
      return List.of(batch.inputs().get(0).renamed("OUT"));
    }
  }

  @Setup(Level.Trial)
  public void start() {
    BatchPolicy policy =
        BatchPolicy.builder()
            .maxBatchSize(maxBatchSize)
            .dynamicBatching(true)
            .maxQueueDelayMicros(maxQueueDelayMicros)
            .build();
    disruptor = ModelSchedulers.start("bench", policy, List.of(new NoOpRunner()));
    baseline =
        new BlockingQueueModelScheduler("bench", policy, List.of(new NoOpRunner()), QUEUE_CAPACITY);
  }

  @TearDown(Level.Trial)
  public void stop() {
    disruptor.shutdown(Duration.ofSeconds(5));
    baseline.shutdown(Duration.ofSeconds(5));
    report("disruptor", disruptor);
    report("blockingQueueBaseline", baseline);
  }

  /** Prints the mean batch size each scheduler reached, which explains most differences. */
  private static void report(String name, ModelScheduler scheduler) {
    ModelStatistics stats = scheduler.statistics();
    if (stats.executionCount() > 0) {
      System.out.printf(
          "%n%s: %d executions, mean batch size %.1f%n",
          name, stats.executionCount(), (double) stats.inferenceCount() / stats.executionCount());
    }
  }

  /**
   * One producer: its window of unanswered requests and the callback that closes them. A full
   * window blocks the producer until half of it is answered (hysteresis), so that the harness does
   * not add a park/unpark per request: with a plain semaphore, a producer faster than the fan-out
   * parks after every permit and each answer must wake it, which measures futex calls instead of
   * the schedulers.
   */
  @State(Scope.Thread)
  public static class Producer implements InferenceCallback {
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile Thread waiter;
    private volatile long failures;

    @Override
    public void onSuccess(List<Tensor> outputs) {
      answered();
    }

    @Override
    public void onFailure(InferenceException failure) {
      failures++; // only the model's one worker thread answers
      answered();
    }

    private void answered() {
      if (inFlight.decrementAndGet() == WINDOW / 2) {
        Thread blocked = waiter;
        if (blocked != null) {
          LockSupport.unpark(blocked);
        }
      }
    }

    InferenceRequest nextRequest() {
      if (inFlight.get() >= WINDOW) {
        waiter = Thread.currentThread();
        while (inFlight.get() > WINDOW / 2) {
          LockSupport.park(this);
        }
        waiter = null;
      }
      inFlight.incrementAndGet();
      return InferenceRequest.builder().inputs(INPUTS).callback(this).build();
    }

    /** Lets every request of the iteration finish, so iterations do not overlap. */
    @TearDown(Level.Iteration)
    public void drain() {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (inFlight.get() > 0) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(inFlight.get() + " requests were never answered");
        }
        Thread.yield();
      }
      if (failures != 0) {
        throw new IllegalStateException(failures + " requests failed");
      }
    }
  }

  @Benchmark
  public void disruptor(Producer producer) {
    disruptor.submit(producer.nextRequest());
  }

  @Benchmark
  public void blockingQueueBaseline(Producer producer) {
    baseline.submit(producer.nextRequest());
  }
}
