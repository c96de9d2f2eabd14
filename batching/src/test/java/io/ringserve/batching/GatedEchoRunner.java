package io.ringserve.batching;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A runner that echoes each input back as output {@code OUT_<input>} and records every batch it
 * ran. Batches holding a request whose id starts with {@code "gate"} block until {@link #open()},
 * so a test can keep an instance busy while it fills the queue.
 */
final class GatedEchoRunner implements ModelRunner {
  private final CountDownLatch gate = new CountDownLatch(1);
  private final Semaphore gatedEntered = new Semaphore(0);
  private final BlockingQueue<Batch> ran = new LinkedBlockingQueue<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile String lastThreadName;

  @Override
  public List<Tensor> run(Batch batch) throws Exception {
    lastThreadName = Thread.currentThread().getName();
    ran.add(batch);
    if (batch.requests().stream().anyMatch(r -> r.id().startsWith("gate"))) {
      gatedEntered.release();
      if (!gate.await(Answer.TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new IllegalStateException("test never opened the gate");
      }
    }
    List<Tensor> outputs = new ArrayList<>();
    for (Tensor input : batch.inputs()) {
      outputs.add(input.renamed("OUT_" + input.name()));
    }
    return outputs;
  }

  /** Waits until a gated batch is blocked in {@link #run}. */
  void awaitGated() throws InterruptedException {
    if (!gatedEntered.tryAcquire(Answer.TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      throw new AssertionError("no gated batch reached the runner");
    }
  }

  void open() {
    gate.countDown();
  }

  /** The next batch the runner ran, waiting for it. */
  Batch nextBatch() throws InterruptedException {
    Batch batch = ran.poll(Answer.TIMEOUT_SECONDS, TimeUnit.SECONDS);
    if (batch == null) {
      throw new AssertionError("no batch ran");
    }
    return batch;
  }

  /** Batches ran and not yet taken by {@link #nextBatch()}. */
  List<Batch> drainBatches() {
    List<Batch> batches = new ArrayList<>();
    ran.drainTo(batches);
    return batches;
  }

  String lastThreadName() {
    return lastThreadName;
  }

  @Override
  public void close() {
    closed.countDown();
  }

  boolean awaitClosed() throws InterruptedException {
    return closed.await(Answer.TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  /** The ids of a batch's requests, in row order. */
  static List<String> ids(Batch batch) {
    List<String> ids = new ArrayList<>();
    for (InferenceRequest request : batch.requests()) {
      ids.add(request.id());
    }
    return ids;
  }
}
