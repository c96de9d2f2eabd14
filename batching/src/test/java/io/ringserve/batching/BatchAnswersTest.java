package io.ringserve.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Work a batch's callbacks put off runs once, on the worker, after the whole batch's answers. */
class BatchAnswersTest {
  private static final int QUEUED = 4;

  private ModelScheduler scheduler;
  private final List<String> events = Collections.synchronizedList(new ArrayList<>());
  private final List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
  private final CountDownLatch deferredRan = new CountDownLatch(QUEUED);

  @AfterEach
  void stop() {
    if (scheduler != null) {
      scheduler.shutdown(Duration.ofSeconds(5));
    }
  }

  /** Records its answer, defers an action that records itself, then throws if asked to. */
  private final class Deferring extends Answer {
    private final String id;
    private final boolean throwAfterDeferring;

    Deferring(String id, boolean throwAfterDeferring) {
      this.id = id;
      this.throwAfterDeferring = throwAfterDeferring;
    }

    @Override
    public void onSuccess(List<Tensor> outputs) {
      super.onSuccess(outputs);
      answered("answered " + id);
    }

    @Override
    public void onFailure(InferenceException failure) {
      super.onFailure(failure);
      answered("failed " + id);
    }

    private void answered(String event) {
      events.add(event);
      threads.add(Thread.currentThread());
      boolean deferred =
          BatchAnswers.defer(
              () -> {
                events.add("deferred " + id);
                threads.add(Thread.currentThread());
                deferredRan.countDown();
              });
      assertTrue(deferred, "a callback inside a batch's answers defers");
      if (throwAfterDeferring) {
        throw new IllegalStateException("callback of " + id + " fails on purpose");
      }
    }
  }

  /** Echoes the first batch (the held one) and fails every later one. */
  private static ModelRunner failingAfterFirst() {
    boolean[] first = {true};
    return batch -> {
      if (first[0]) {
        first[0] = false;
        return HoldFirstRunner.echo(batch);
      }
      throw new IllegalStateException("the model fails this batch on purpose");
    };
  }

  /** Runs one held batch, then one batch of {@link #QUEUED} requests, and returns its events. */
  private List<String> runQueuedBatch(boolean failBatch, boolean callbacksThrow) throws Exception {
    HoldFirstRunner runner =
        new HoldFirstRunner(failBatch ? failingAfterFirst() : HoldFirstRunner::echo);
    BatchPolicy policy = BatchPolicy.builder().maxBatchSize(16).dynamicBatching(true).build();
    scheduler = ModelSchedulers.start("answers", policy, List.of(runner));
    Answer held = new Answer();
    scheduler.submit(Requests.one("held", held).build());
    runner.awaitEntered();
    List<Answer> answers = new ArrayList<>();
    for (int i = 0; i < QUEUED; i++) {
      Deferring answer = new Deferring("r" + i, callbacksThrow);
      scheduler.submit(Requests.one("r" + i, answer).build());
      answers.add(answer);
    }
    runner.release.countDown();
    held.outputs();
    assertTrue(deferredRan.await(Answer.TIMEOUT_SECONDS, TimeUnit.SECONDS));
    for (Answer answer : answers) {
      answer.future().handle((outputs, failure) -> null).get(5, TimeUnit.SECONDS);
      assertEquals(1, answer.calls());
    }
    // A deferred action that ran twice would show up here.
    scheduler.shutdown(Duration.ofSeconds(5));
    scheduler = null;
    return List.copyOf(events);
  }

  private void assertAnswersThenDeferred(List<String> seen, String answerWord) {
    assertEquals(2 * QUEUED, seen.size(), "each request answered once, each action run once");
    for (int i = 0; i < QUEUED; i++) {
      assertTrue(seen.get(i).startsWith(answerWord + " "), "answers first: " + seen);
      assertEquals(
          "deferred " + seen.get(i).substring(answerWord.length() + 1), seen.get(QUEUED + i));
    }
    Thread worker = threads.get(0);
    assertTrue(worker.getName().contains("answers"), "the model's worker: " + worker);
    for (Thread thread : threads) {
      assertSame(worker, thread, "answered and deferred on the worker");
    }
  }

  @Test
  void shouldRunDeferredActionsOnceOnTheWorkerAfterTheWholeBatchIsAnswered() throws Exception {
    assertAnswersThenDeferred(runQueuedBatch(false, false), "answered");
  }

  @Test
  void shouldRunDeferredActionsWhenCallbacksThrow() throws Exception {
    assertAnswersThenDeferred(runQueuedBatch(false, true), "answered");
  }

  @Test
  void shouldRunDeferredActionsAfterAFailedBatchIsAnswered() throws Exception {
    assertAnswersThenDeferred(runQueuedBatch(true, false), "failed");
  }

  @Test
  void shouldNotDeferOutsideABatch() {
    List<String> ran = new ArrayList<>();
    assertFalse(BatchAnswers.defer(() -> ran.add("outside")));
    BatchAnswers answering = BatchAnswers.open();
    answering.close();
    assertEquals(List.of(), ran, "an action refused outside a batch never runs later");
  }

  @Test
  void shouldRunDeferredActionsInOrderWhenTheOutermostMarkCloses() {
    List<String> ran = new ArrayList<>();
    BatchAnswers outer = BatchAnswers.open();
    assertTrue(BatchAnswers.defer(() -> ran.add("first")));
    BatchAnswers inner = BatchAnswers.open();
    assertTrue(BatchAnswers.defer(() -> ran.add("second")));
    inner.close();
    assertEquals(List.of(), ran, "nothing runs while an outer batch is still answering");
    outer.close();
    assertEquals(List.of("first", "second"), ran);
    BatchAnswers.open().close();
    assertEquals(List.of("first", "second"), ran, "each action runs once");
    assertFalse(BatchAnswers.defer(() -> {}), "no batch is being answered");
  }

  @Test
  void shouldRunEveryActionWhenOneThrows() {
    List<String> ran = new ArrayList<>();
    BatchAnswers answering = BatchAnswers.open();
    BatchAnswers.defer(
        () -> {
          throw new IllegalStateException("on purpose");
        });
    BatchAnswers.defer(
        () -> {
          throw new AssertionError("an Error, on purpose");
        });
    BatchAnswers.defer(() -> ran.add("last"));
    AssertionError error = assertThrows(AssertionError.class, answering::close);
    assertEquals("an Error, on purpose", error.getMessage());
    assertEquals(List.of("last"), ran, "the actions after a throwing one still run");
    assertFalse(BatchAnswers.defer(() -> {}), "no batch is being answered");
  }
}
