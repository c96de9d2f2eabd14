package io.ringserve.batching.jmh;

import io.ringserve.batching.Batch;
import io.ringserve.batching.BatchPolicy;
import io.ringserve.batching.InferenceCallback;
import io.ringserve.batching.InferenceException;
import io.ringserve.batching.InferenceRequest;
import io.ringserve.batching.ModelRunner;
import io.ringserve.batching.ModelScheduler;
import io.ringserve.batching.ModelSchedulers;
import io.ringserve.batching.ModelStatistics;
import io.ringserve.batching.Tensor;
import io.ringserve.batching.internal.BlockingQueueModelScheduler;
import io.ringserve.wire.DataType;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

  /**
   * How long a producer with a full window sleeps before it looks again. A timed sleep rather than
   * an unpark from the worker: the kernel places a woken thread near its waker, which would put the
   * producers on the worker's core and measure where the scheduler put threads.
   */
  static final long PARK_NANOS = 20_000;

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
   * One producer: its window of unanswered requests and the callback that closes them.
   *
   * <p>The harness must not cost the schedulers' threads more than it has to, or it measures
   * itself: each side counts on its own cache line with plain single-writer stores (the producer
   * its sends, the one answering worker its answers), so an answer costs no atomic instruction and
   * no line is written by both sides. A producer whose window is full sleeps in {@link #PARK_NANOS}
   * steps (plus the kernel's timer slack) until half of it is answered (hysteresis); nothing wakes
   * it, see {@link #PARK_NANOS}. Failures, which the run never expects, are counted atomically
   * since a refused request is answered on the producer's own thread.
   */
  @State(Scope.Thread)
  public static class Producer implements InferenceCallback {
    private static final VarHandle COUNTS = MethodHandles.arrayElementVarHandle(long[].class);

    // Two counters 128 bytes apart in one array, away from the array's header and each other.
    private static final int ANSWERED = 16;
    private static final int FAILED = 32;
    private final long[] counts = new long[48];

    private long sent; // the producer thread's own
    private long answeredSeen; // the producer's last look at the answered count

    @Override
    public void onSuccess(List<Tensor> outputs) {
      answered();
    }

    @Override
    public void onFailure(InferenceException failure) {
      COUNTS.getAndAdd(counts, FAILED, 1L);
      answered();
    }

    /** Runs on the model's single worker thread, the only writer of the answered count. */
    private void answered() {
      long answered = (long) COUNTS.getOpaque(counts, ANSWERED) + 1;
      COUNTS.setRelease(counts, ANSWERED, answered);
    }

    private long answeredCount() {
      return (long) COUNTS.getAcquire(counts, ANSWERED);
    }

    InferenceRequest nextRequest() {
      if (sent - answeredSeen >= WINDOW) {
        answeredSeen = answeredCount();
        if (sent - answeredSeen >= WINDOW) {
          awaitHalfWindow();
        }
      }
      sent++;
      return InferenceRequest.builder().inputs(INPUTS).callback(this).build();
    }

    private void awaitHalfWindow() {
      long target = sent - WINDOW / 2;
      while ((answeredSeen = answeredCount()) < target) {
        LockSupport.parkNanos(this, PARK_NANOS);
      }
    }

    /** Lets every request of the iteration finish, so iterations do not overlap. */
    @TearDown(Level.Iteration)
    public void drain() {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (answeredCount() < sent) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              (sent - answeredCount()) + " requests were never answered");
        }
        Thread.yield();
      }
      long failures = (long) COUNTS.getAcquire(counts, FAILED);
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
