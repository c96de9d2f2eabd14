package io.ringserve.batching.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.batching.InferenceRequest;
import io.ringserve.batching.internal.Wakeups.BatcherWait;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Whom a publish wakes. The batcher thread costs two context switches each time it is woken for
 * nothing, so a publish that finds every worker busy must leave it parked unless it keeps a max
 * queue delay's timer or runs the shutdown.
 */
class WakeupsTest {
  private static final long QUIET_MILLIS = 200;

  private final AtomicInteger batcherWakes = new AtomicInteger();
  private final CountDownLatch batcherWaiting = new CountDownLatch(1);
  private volatile boolean stop;
  private Thread batcher;

  @AfterEach
  void stopBatcher() throws InterruptedException {
    stop = true;
    if (batcher != null) {
      LockSupport.unpark(batcher);
      batcher.join(5_000);
    }
  }

  /** A stand-in batcher thread that waits for WORK and counts how often it is woken. */
  private void startBatcherWaitingForWork(Wakeups wakeups) throws InterruptedException {
    batcher =
        new Thread(
            () -> {
              wakeups.batcherStarted();
              while (!stop) {
                wakeups.beginWait(BatcherWait.WORK);
                batcherWaiting.countDown();
                wakeups.park(Long.MAX_VALUE);
                wakeups.endWait();
                if (!stop) {
                  batcherWakes.incrementAndGet();
                }
              }
            },
            "test-batcher");
    batcher.start();
    assertTrue(batcherWaiting.await(5, TimeUnit.SECONDS));
    awaitParked(batcher);
  }

  private static void awaitParked(Thread thread) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (thread.getState() != Thread.State.WAITING && System.nanoTime() < end) {
      Thread.sleep(1);
    }
    assertEquals(Thread.State.WAITING, thread.getState());
  }

  private static WorkerState busyWorker() {
    WorkerState worker = new WorkerState(0);
    worker.markRunning(new ScheduledBatch(new InferenceRequest[0], new long[0], 0));
    return worker;
  }

  @Test
  void shouldWakeNoOneWhenEveryWorkerIsBusyAndTheModelHasNoDelay() throws Exception {
    Wakeups wakeups = new Wakeups(new WorkerState[] {busyWorker(), busyWorker()}, true);
    startBatcherWaitingForWork(wakeups);

    for (int i = 0; i < 100; i++) {
      wakeups.signalWork();
    }

    Thread.sleep(QUIET_MILLIS);
    assertEquals(0, batcherWakes.get(), "busy workers form their own next batches");
    assertEquals(Thread.State.WAITING, batcher.getState());
  }

  @Test
  void shouldWakeTheBatcherForAModelWithAMaxQueueDelay() throws Exception {
    Wakeups wakeups = new Wakeups(new WorkerState[] {busyWorker()}, false);
    startBatcherWaitingForWork(wakeups);

    wakeups.signalWork();

    awaitWakes(1);
  }

  @Test
  void shouldWakeTheBatcherForEveryPublishOnceShutdownBegins() throws Exception {
    Wakeups wakeups = new Wakeups(new WorkerState[] {busyWorker()}, true);
    startBatcherWaitingForWork(wakeups);
    wakeups.shutdownBegins(); // wakes it once
    awaitWakes(1);
    awaitParked(batcher);

    wakeups.signalWork();

    awaitWakes(2);
  }

  private void awaitWakes(int count) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (batcherWakes.get() < count && System.nanoTime() < end) {
      Thread.sleep(1);
    }
    assertEquals(count, batcherWakes.get());
  }
}
