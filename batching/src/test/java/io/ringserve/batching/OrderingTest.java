package io.ringserve.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code preserve_ordering} across instances. Two instances: a gated request keeps instance 0 busy
 * while "quick" runs on instance 1; a second gated request then runs on instance 1 too, and once
 * the runner sees it, "quick" has been answered or held back for sure.
 */
class OrderingTest {
  private final GatedEchoRunner runner = new GatedEchoRunner();
  private final ConcurrentLinkedQueue<String> completed = new ConcurrentLinkedQueue<>();
  private ModelScheduler scheduler;

  @AfterEach
  void stop() {
    runner.open();
    if (scheduler != null) {
      scheduler.shutdown(Duration.ofSeconds(5));
    }
  }

  private Answer submit(String id) {
    Answer answer =
        new Answer() {
          @Override
          public void onSuccess(List<Tensor> outputs) {
            completed.add(id);
            super.onSuccess(outputs);
          }
        };
    scheduler.submit(Requests.one(id, answer).build());
    return answer;
  }

  private Answer[] runQuickBetweenTwoGatedRequests(boolean preserveOrdering) throws Exception {
    scheduler =
        ModelSchedulers.start(
            "ordering",
            BatchPolicy.builder().preserveOrdering(preserveOrdering).build(),
            List.of(runner, runner));
    Answer slow = submit("gate-slow");
    runner.awaitGated();
    Answer quick = submit("quick");
    Answer later = submit("gate-later");
    runner.awaitGated();
    return new Answer[] {slow, quick, later};
  }

  @Test
  void shouldHoldBackLaterCompletionsUntilEarlierOnesLeaveWhenPreservingOrder() throws Exception {
    Answer[] answers = runQuickBetweenTwoGatedRequests(true);

    assertFalse(answers[1].isDone(), "quick must wait for the request that arrived before it");
    runner.open();
    for (Answer answer : answers) {
      answer.outputs();
    }

    assertEquals(List.of("gate-slow", "quick", "gate-later"), List.copyOf(completed));
  }

  @Test
  void shouldCompleteAsSoonAsDoneWithoutPreserveOrdering() throws Exception {
    Answer[] answers = runQuickBetweenTwoGatedRequests(false);

    assertTrue(answers[1].isDone(), "quick ran before gate-later, so it is answered already");
    runner.open();
    for (Answer answer : answers) {
      answer.outputs();
    }
    assertEquals("quick", completed.peek());
  }

  @Test
  void shouldKeepArrivalOrderForFailuresToo() throws Exception {
    scheduler =
        ModelSchedulers.start(
            "ordering",
            BatchPolicy.builder().preserveOrdering(true).build(),
            List.of(runner, runner));
    Answer slow = submit("gate-slow");
    runner.awaitGated();
    Answer cancelled = new Answer();
    scheduler.submit(Requests.one("cancelled", cancelled).cancelled(() -> true).build());
    Answer later = submit("gate-later");
    runner.awaitGated();

    assertFalse(cancelled.isDone(), "the cancellation must wait for the request before it");
    runner.open();
    slow.outputs();
    cancelled.failure();
    later.outputs();
  }
}
