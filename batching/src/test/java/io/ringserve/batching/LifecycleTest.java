package io.ringserve.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.batching.InferenceException.Reason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Start, graceful stop and immediate stop. */
class LifecycleTest {
  private final GatedEchoRunner runner = new GatedEchoRunner();
  private ModelScheduler scheduler;

  @AfterEach
  void stop() {
    runner.open();
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }

  private static BatchPolicy oneAtATime() {
    return BatchPolicy.builder().maxBatchSize(1).dynamicBatching(true).build();
  }

  /** A request whose failure opens the runner's gate, so a stuck batch ends once it is answered. */
  private Answer gateOpeningBlocker() {
    return new Answer() {
      @Override
      public void onFailure(InferenceException failure) {
        super.onFailure(failure);
        runner.open();
      }
    };
  }

  private List<Answer> submitQueued(int count) {
    List<Answer> answers = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Answer answer = new Answer();
      scheduler.submit(Requests.one("q" + i, answer).build());
      answers.add(answer);
    }
    return answers;
  }

  @Test
  void shouldNameThreadsAfterTheModel() throws Exception {
    scheduler = ModelSchedulers.start("resnet50", oneAtATime(), List.of(runner));
    Answer answer = new Answer();

    scheduler.submit(Requests.one("r", answer).build());
    answer.outputs();

    assertTrue(runner.lastThreadName().contains("resnet50"), runner.lastThreadName());
  }

  @Test
  void shouldReportTerminatedOnlyOnceNoRunnerRunsAnyMore() throws Exception {
    scheduler = ModelSchedulers.start("m", oneAtATime(), List.of(runner));
    assertTerminatedOnlyOnceTheRunnerReturns();
  }

  @Test
  void shouldReportTerminatedOnlyOnceNoRunnerRunsAnyMoreBehindAQueuedBytesBudget()
      throws Exception {
    // How the server starts every model: freeing its native memory waits on this answer.
    scheduler =
        ModelSchedulers.start(
            "m",
            oneAtATime(),
            List.of(runner),
            new TensorBytesBudget("--max-queued-input-bytes-per-model", 1 << 20, null));
    assertTerminatedOnlyOnceTheRunnerReturns();
  }

  private void assertTerminatedOnlyOnceTheRunnerReturns() throws Exception {
    scheduler.submit(Requests.one("gate", new Answer()).build());
    runner.awaitGated();

    scheduler.shutdown(Duration.ZERO);
    assertFalse(scheduler.isTerminated(), "a worker is still inside the runner");

    runner.open();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!scheduler.isTerminated()) {
      assertTrue(System.nanoTime() < deadline, "the worker did not end once the runner returned");
      Thread.sleep(1);
    }
  }

  @Test
  void shouldRejectBadArgumentsWithTheArgumentsName() {
    IllegalArgumentException noRunner =
        assertThrows(
            IllegalArgumentException.class,
            () -> ModelSchedulers.start("m", oneAtATime(), List.of()));
    assertTrue(noRunner.getMessage().contains("instances"), noRunner.getMessage());
    IllegalArgumentException noName =
        assertThrows(
            IllegalArgumentException.class,
            () -> ModelSchedulers.start("", oneAtATime(), List.of(runner)));
    assertTrue(noName.getMessage().contains("modelName"), noName.getMessage());
  }

  @Test
  void shouldFinishQueuedRequestsWithinTheGracePeriodAndRefuseNewOnes() throws Exception {
    scheduler = ModelSchedulers.start("lifecycle", oneAtATime(), List.of(runner));
    Answer blocker = new Answer();
    scheduler.submit(Requests.one("gate", blocker).build());
    runner.awaitGated();
    List<Answer> queued = submitQueued(3);
    assertEquals(4, scheduler.pendingRequests());

    CompletableFuture<Void> stopped =
        CompletableFuture.runAsync(() -> scheduler.shutdown(Duration.ofSeconds(30)));
    List<Answer> acceptedBeforeShutdown = new ArrayList<>();
    InferenceException refusal = awaitRefusal(acceptedBeforeShutdown);
    runner.open();
    stopped.get(Answer.TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertEquals(Reason.UNAVAILABLE, refusal.reason());
    blocker.outputs();
    for (Answer answer : queued) {
      answer.outputs();
    }
    for (Answer answer : acceptedBeforeShutdown) {
      answer.outputs();
    }
    assertEquals(0, scheduler.pendingRequests());
    assertTrue(runner.awaitClosed(), "the runner must be closed");
  }

  /**
   * Submits probes until the scheduler refuses one as UNAVAILABLE, which it does once shutdown has
   * begun; probes accepted before that are collected, since they too must be served.
   */
  private InferenceException awaitRefusal(List<Answer> accepted) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Answer.TIMEOUT_SECONDS);
    while (System.nanoTime() < deadline) {
      Answer probe = new Answer();
      scheduler.submit(Requests.one("probe", probe).build());
      if (!probe.isDone()) {
        accepted.add(probe);
      } else {
        InferenceException failure = probe.failure();
        if (failure.reason() == Reason.UNAVAILABLE) {
          return failure;
        }
      }
      Thread.yield();
    }
    throw new AssertionError("shutdown never began refusing");
  }

  @Test
  void shouldAnswerWhatIsLeftUnavailableWhenTheGracePeriodEnds() throws Exception {
    scheduler = ModelSchedulers.start("lifecycle", oneAtATime(), List.of(runner));
    Answer blocker = gateOpeningBlocker();
    scheduler.submit(Requests.one("gate", blocker).build());
    runner.awaitGated();
    List<Answer> queued = submitQueued(2);

    scheduler.shutdown(Duration.ofMillis(100));

    assertEquals(Reason.UNAVAILABLE, blocker.failure().reason());
    for (Answer answer : queued) {
      assertEquals(Reason.UNAVAILABLE, answer.failure().reason());
    }
    assertTrue(runner.awaitClosed());
    assertEquals(1, blocker.calls());
  }

  @Test
  void shouldAnswerEverythingUnavailableAtOnceOnImmediateStop() throws Exception {
    scheduler = ModelSchedulers.start("lifecycle", oneAtATime(), List.of(runner));
    Answer blocker = gateOpeningBlocker();
    scheduler.submit(Requests.one("gate", blocker).build());
    runner.awaitGated();
    List<Answer> queued = submitQueued(5);

    scheduler.shutdownNow();

    for (Answer answer : queued) {
      assertTrue(answer.isDone());
      InferenceException failure = answer.failure();
      assertEquals(Reason.UNAVAILABLE, failure.reason());
      assertEquals("Server is shutting down", failure.getMessage());
    }
    assertEquals(Reason.UNAVAILABLE, blocker.failure().reason());
    assertTrue(runner.awaitClosed());
    Answer afterwards = new Answer();
    scheduler.submit(Requests.one("afterwards", afterwards).build());
    assertEquals(Reason.UNAVAILABLE, afterwards.failure().reason());
  }

  @Test
  void shouldReturnFromShutdownOfAnIdleSchedulerPromptly() throws Exception {
    scheduler = ModelSchedulers.start("lifecycle", oneAtATime(), List.of(runner));

    CompletableFuture.runAsync(() -> scheduler.shutdown(Duration.ofSeconds(60)))
        .get(Answer.TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertTrue(runner.awaitClosed());
  }

  @Test
  void shouldAllowShutdownToBeCalledTwice() {
    scheduler = ModelSchedulers.start("lifecycle", oneAtATime(), List.of(runner));

    scheduler.shutdown(Duration.ofSeconds(1));
    scheduler.shutdownNow();
  }
}
