package io.ringserve.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.batching.InferenceException.Reason;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bytes of accepted, unanswered requests are bounded per model and across models: a request
 * that does not fit is refused at once naming the limit, and answered requests give their bytes
 * back, whether they succeeded or failed.
 */
class QueuedBytesTest {
  private static final int REQUEST_BYTES = 8; // Requests.one: INT32 [1, 2]

  private final GatedEchoRunner first = new GatedEchoRunner();
  private final GatedEchoRunner second = new GatedEchoRunner();
  private ModelScheduler one;
  private ModelScheduler two;

  @AfterEach
  void stop() {
    first.open();
    second.open();
    for (ModelScheduler scheduler : new ModelScheduler[] {one, two}) {
      if (scheduler != null) {
        scheduler.shutdown(Duration.ofSeconds(5));
      }
    }
  }

  private static BatchPolicy oneAtATime() {
    return BatchPolicy.builder().maxBatchSize(1).dynamicBatching(true).build();
  }

  /** Starts a scheduler whose one instance is kept busy by a gated request. */
  private static ModelScheduler startBusy(GatedEchoRunner runner, TensorBytesBudget budget)
      throws InterruptedException {
    ModelScheduler scheduler =
        ModelSchedulers.start("bytes", oneAtATime(), List.of(runner), budget);
    scheduler.submit(Requests.one("gate", new Answer()).build());
    runner.awaitGated();
    runner.nextBatch();
    return scheduler;
  }

  @Test
  void shouldRefuseAtOnceARequestThatDoesNotFitTheModelsBudget() throws Exception {
    TensorBytesBudget model = new TensorBytesBudget("--model-limit", 3 * REQUEST_BYTES, null);
    one = startBusy(first, model);
    Answer a = new Answer();
    Answer b = new Answer();
    Answer refused = new Answer();
    one.submit(Requests.one("a", a).build());
    one.submit(Requests.one("b", b).build());
    assertEquals(3 * REQUEST_BYTES, model.usedBytes());

    one.submit(Requests.one("refused", refused).build());

    assertTrue(refused.isDone(), "a request over the budget is answered before submit returns");
    assertSame(Thread.currentThread(), refused.thread());
    InferenceException failure = refused.failure();
    assertEquals(Reason.QUEUE_FULL, failure.reason());
    assertEquals(
        "the queued input tensors would exceed 24 bytes (--model-limit)", failure.getMessage());
    first.open();
    a.outputs();
    b.outputs();
    assertEquals(0, model.usedBytes(), "answered requests give their bytes back");
    Answer later = new Answer();
    one.submit(Requests.one("later", later).build());
    later.outputs();
  }

  @Test
  void shouldShareTheServersBudgetAcrossModels() throws Exception {
    TensorBytesBudget server = new TensorBytesBudget("--server-limit", 4 * REQUEST_BYTES, null);
    one = startBusy(first, new TensorBytesBudget("--model-limit", 3 * REQUEST_BYTES, server));
    two = startBusy(second, new TensorBytesBudget("--model-limit", 3 * REQUEST_BYTES, server));
    Answer queued = new Answer();
    one.submit(Requests.one("queued", queued).build());
    assertEquals(3 * REQUEST_BYTES, server.usedBytes());
    Answer fits = new Answer();
    two.submit(Requests.one("fits", fits).build());
    Answer refused = new Answer();
    two.submit(Requests.one("refused", refused).build());

    InferenceException failure = refused.failure();
    assertEquals(Reason.QUEUE_FULL, failure.reason());
    assertTrue(failure.getMessage().endsWith("32 bytes (--server-limit)"), failure.getMessage());
    first.open();
    second.open();
    queued.outputs();
    fits.outputs();
    assertEquals(0, server.usedBytes());
  }

  @Test
  void shouldGiveBackTheBytesOfAFailedRequest() throws Exception {
    TensorBytesBudget model = new TensorBytesBudget("--model-limit", 2 * REQUEST_BYTES, null);
    one = startBusy(first, model);
    Answer expired = new Answer();
    one.submit(Requests.one("expired", expired).deadlineNanos(System.nanoTime() - 1).build());
    assertEquals(2 * REQUEST_BYTES, model.usedBytes());
    first.open();
    assertEquals(Reason.DEADLINE_EXCEEDED, expired.failure().reason());
    Answer after = new Answer();
    one.submit(Requests.one("after", after).build()); // runs after the gated one: one instance
    after.outputs();
    assertEquals(0, model.usedBytes(), "the failed request gave its bytes back");
  }

  @Test
  void shouldTakeNothingWhenTheParentIsFull() {
    TensorBytesBudget server = new TensorBytesBudget("--server-limit", 10, null);
    TensorBytesBudget model = new TensorBytesBudget("--model-limit", 100, server);
    assertNull(model.tryAcquire(10));
    assertEquals(
        "the queued input tensors would exceed 10 bytes (--server-limit)", model.tryAcquire(1));
    assertEquals(10, model.usedBytes());
    model.release(10);
    assertEquals(0, server.usedBytes());
  }
}
