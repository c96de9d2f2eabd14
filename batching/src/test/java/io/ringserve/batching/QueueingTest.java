package io.ringserve.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.batching.InferenceException.Reason;
import io.ringserve.batching.QueuePolicy.TimeoutAction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Queue limits, timeouts, cancellation and priorities. */
class QueueingTest {
  private final GatedEchoRunner runner = new GatedEchoRunner();
  private ModelScheduler scheduler;

  @AfterEach
  void stop() {
    runner.open();
    if (scheduler != null) {
      scheduler.shutdown(Duration.ofSeconds(5));
    }
  }

  /** Starts a one-instance scheduler and keeps its instance busy with a gated request. */
  private void startBusy(BatchPolicy policy) throws InterruptedException {
    scheduler = ModelSchedulers.start("queueing", policy, List.of(runner));
    scheduler.submit(Requests.one("gate", new Answer()).build());
    runner.awaitGated();
    runner.nextBatch();
  }

  private static BatchPolicy.Builder oneAtATime() {
    return BatchPolicy.builder().maxBatchSize(1).dynamicBatching(true);
  }

  private List<String> idsRun(int batches) throws InterruptedException {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < batches; i++) {
      ids.addAll(GatedEchoRunner.ids(runner.nextBatch()));
    }
    return ids;
  }

  private static long secondsAgo(long seconds) {
    return System.nanoTime() - TimeUnit.SECONDS.toNanos(seconds);
  }

  @Test
  void shouldRefuseAtOnceOnTheCallersThreadWhenTheQueueIsFull() throws Exception {
    startBusy(
        oneAtATime()
            .defaultQueuePolicy(new QueuePolicy(2, 0, TimeoutAction.REJECT, false))
            .build());
    Answer a = new Answer();
    Answer b = new Answer();
    Answer refused = new Answer();
    scheduler.submit(Requests.one("a", a).build());
    scheduler.submit(Requests.one("b", b).build());

    scheduler.submit(Requests.one("refused", refused).build());

    assertTrue(refused.isDone(), "submit must answer a full queue before returning");
    assertSame(Thread.currentThread(), refused.thread());
    InferenceException failure = refused.failure();
    assertEquals(Reason.QUEUE_FULL, failure.reason());
    assertEquals("Exceeds maximum queue size", failure.getMessage());
    runner.open();
    a.outputs();
    b.outputs();
  }

  @Test
  void shouldFreeQueueSpaceOnceRequestsLeaveTheQueue() throws Exception {
    scheduler =
        ModelSchedulers.start(
            "queueing",
            oneAtATime()
                .defaultQueuePolicy(new QueuePolicy(1, 0, TimeoutAction.REJECT, false))
                .build(),
            List.of(runner));
    runner.open();

    for (int i = 0; i < 20; i++) {
      Answer answer = new Answer();
      scheduler.submit(Requests.one("r" + i, answer).build());
      answer.outputs();
    }
  }

  @Test
  void shouldApplyEachPriorityLevelsOwnQueueSize() throws Exception {
    startBusy(
        oneAtATime()
            .priorityLevels(2)
            .priorityQueuePolicy(1, new QueuePolicy(1, 0, TimeoutAction.REJECT, false))
            .build());
    Answer high = new Answer();
    Answer highRefused = new Answer();
    List<Answer> low = new ArrayList<>();

    scheduler.submit(Requests.one("high", high).priorityLevel(1).build());
    scheduler.submit(Requests.one("high-refused", highRefused).priorityLevel(1).build());
    for (int i = 0; i < 5; i++) {
      Answer answer = new Answer();
      scheduler.submit(Requests.one("low" + i, answer).priorityLevel(2).build());
      low.add(answer);
    }

    assertEquals(Reason.QUEUE_FULL, highRefused.failure().reason());
    runner.open();
    high.outputs();
    for (Answer answer : low) {
      answer.outputs();
    }
  }

  @Test
  void shouldAnswerTimeoutAndNeverRunARequestWhoseQueueTimeoutPassedUnderReject() throws Exception {
    startBusy(
        oneAtATime()
            .defaultQueuePolicy(
                new QueuePolicy(0, TimeUnit.SECONDS.toMicros(1), TimeoutAction.REJECT, false))
            .build());
    Answer expired = new Answer();
    Answer fresh = new Answer();
    scheduler.submit(Requests.one("expired", expired).arrivalNanos(secondsAgo(10)).build());
    scheduler.submit(Requests.one("fresh", fresh).build());

    runner.open();

    InferenceException failure = expired.failure();
    assertEquals(Reason.TIMEOUT, failure.reason());
    assertEquals("Request timeout expired", failure.getMessage());
    fresh.outputs();
    assertEquals(List.of("fresh"), idsRun(1));
    assertTrue(runner.drainBatches().isEmpty());
  }

  @Test
  void shouldHonourAShorterTimeoutOnlyWhenOverridesAreAllowed() throws Exception {
    startBusy(
        oneAtATime()
            .defaultQueuePolicy(
                new QueuePolicy(0, TimeUnit.SECONDS.toMicros(60), TimeoutAction.REJECT, true))
            .build());
    Answer shortTimeout = new Answer();
    scheduler.submit(
        Requests.one("short", shortTimeout)
            .timeoutMicros(TimeUnit.SECONDS.toMicros(1))
            .arrivalNanos(secondsAgo(10))
            .build());

    runner.open();

    assertEquals(Reason.TIMEOUT, shortTimeout.failure().reason());
  }

  @Test
  void shouldServeTimedOutRequestsAfterAllOthersUnderDelay() throws Exception {
    startBusy(
        oneAtATime()
            .defaultQueuePolicy(
                new QueuePolicy(0, TimeUnit.SECONDS.toMicros(1), TimeoutAction.DELAY, false))
            .build());
    List<Answer> answers = new ArrayList<>();
    String[] ids = {"late1", "fresh1", "late2", "fresh2"};
    for (String id : ids) {
      Answer answer = new Answer();
      InferenceRequest.Builder request = Requests.one(id, answer);
      if (id.startsWith("late")) {
        request.arrivalNanos(secondsAgo(10));
      }
      scheduler.submit(request.build());
      answers.add(answer);
    }

    runner.open();

    for (Answer answer : answers) {
      answer.outputs();
    }
    assertEquals(List.of("fresh1", "fresh2", "late1", "late2"), idsRun(4));
  }

  @Test
  void shouldAnswerCancelledAndNeverRunACancelledRequest() throws Exception {
    startBusy(oneAtATime().build());
    AtomicBoolean cancelled = new AtomicBoolean();
    Answer cancelledAnswer = new Answer();
    Answer kept = new Answer();
    scheduler.submit(Requests.one("cancelled", cancelledAnswer).cancelled(cancelled::get).build());
    scheduler.submit(Requests.one("kept", kept).build());

    cancelled.set(true);
    runner.open();

    assertEquals(Reason.CANCELLED, cancelledAnswer.failure().reason());
    kept.outputs();
    assertEquals(List.of("kept"), idsRun(1));
    assertTrue(runner.drainBatches().isEmpty());
  }

  @Test
  void shouldAnswerDeadlineExceededAndNeverRunARequestWhoseDeadlinePassed() throws Exception {
    startBusy(oneAtATime().build());
    Answer late = new Answer();
    scheduler.submit(Requests.one("late", late).deadlineNanos(System.nanoTime() - 1).build());

    runner.open();

    // Not a queue timeout: the caller's deadline, which gRPC answers DEADLINE_EXCEEDED.
    InferenceException failure = late.failure();
    assertEquals(Reason.DEADLINE_EXCEEDED, failure.reason());
    assertEquals("the request's deadline passed before it ran", failure.getMessage());
    assertTrue(runner.drainBatches().isEmpty());
  }

  @Test
  void shouldServeHigherPriorityLevelsFirst() throws Exception {
    startBusy(oneAtATime().priorityLevels(3).defaultPriorityLevel(2).build());
    List<Answer> answers = new ArrayList<>();
    int[] levels = {3, 2, 0, 1, 3, 1};
    for (int i = 0; i < levels.length; i++) {
      Answer answer = new Answer();
      scheduler.submit(
          Requests.one("p" + levels[i] + "-" + i, answer).priorityLevel(levels[i]).build());
      answers.add(answer);
    }

    runner.open();

    for (Answer answer : answers) {
      answer.outputs();
    }
    assertEquals(List.of("p1-3", "p1-5", "p2-1", "p0-2", "p3-0", "p3-4"), idsRun(6));
  }

  @Test
  void shouldRefuseAPriorityAboveTheModelsLevelsAsInvalidInput() throws Exception {
    scheduler =
        ModelSchedulers.start("queueing", oneAtATime().priorityLevels(2).build(), List.of(runner));
    Answer answer = new Answer();

    scheduler.submit(Requests.one("p3", answer).priorityLevel(3).build());

    assertTrue(answer.isDone());
    InferenceException failure = answer.failure();
    assertEquals(Reason.INVALID_INPUT, failure.reason());
    assertTrue(failure.getMessage().contains("priority 3"), failure.getMessage());
  }

  @Test
  void shouldRefuseABatchDimensionAboveMaxBatchSizeAsInvalidInput() throws Exception {
    scheduler =
        ModelSchedulers.start(
            "queueing",
            BatchPolicy.builder().maxBatchSize(4).dynamicBatching(true).build(),
            List.of(runner));
    Answer answer = new Answer();

    scheduler.submit(Requests.rows("big", 0, 5, 2, answer).build());

    InferenceException failure = answer.failure();
    assertEquals(Reason.INVALID_INPUT, failure.reason());
    assertFalse(runner.drainBatches().iterator().hasNext());
  }
}
