package io.ringserve.server.internal.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ringserve.batching.BatchAnswers;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** Answers given inside a batch reach each event loop as one task, after the batch. */
class AnswerOutboxTest {
  /** A fresh outbox per test: the per-thread one would carry state from test to test. */
  private final AnswerOutbox outbox = new AnswerOutbox();

  /** An event loop that keeps the tasks it is given until the test runs them. */
  private static class Loop implements Executor {
    final List<Runnable> tasks = new ArrayList<>();

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    void runAll() {
      tasks.forEach(Runnable::run);
    }
  }

  /** A connection that records the answers written to it, in order. */
  private static class Call {
    final List<String> written = new ArrayList<>();

    void write(String answer) {
      written.add(answer);
    }
  }

  /** Sends {@code answer} to {@code call} through the outbox, as a front end does. */
  private void send(Executor loop, Call call, String answer) {
    outbox.send(loop, () -> call.write(answer));
  }

  @Test
  void shouldHandAllOfOneLoopsAnswersOverAsOneTaskAfterTheBatch() {
    Loop loop = new Loop();
    List<Call> calls = new ArrayList<>();
    try (BatchAnswers answering = BatchAnswers.open()) {
      for (int i = 0; i < 27; i++) {
        Call call = new Call();
        calls.add(call);
        send(loop, call, "r" + i);
      }
      assertEquals(0, loop.tasks.size(), "nothing reaches the loop while the batch is answered");
      assertEquals(List.of(), calls.get(0).written);
    }
    assertEquals(1, loop.tasks.size(), "one wake-up of the loop for the batch");
    assertEquals(List.of(), calls.get(0).written, "written by the loop, not the worker");
    loop.runAll();
    for (int i = 0; i < calls.size(); i++) {
      assertEquals(List.of("r" + i), calls.get(i).written);
    }
  }

  @Test
  void shouldHandEachLoopItsOwnAnswers() {
    Loop first = new Loop();
    Loop second = new Loop();
    Call a = new Call();
    Call b = new Call();
    Call c = new Call();
    try (BatchAnswers answering = BatchAnswers.open()) {
      send(first, a, "a");
      send(second, b, "b");
      send(first, c, "c");
    }
    assertEquals(1, first.tasks.size());
    assertEquals(1, second.tasks.size());
    second.runAll();
    assertEquals(List.of("b"), b.written);
    assertEquals(List.of(), a.written, "the first loop's answers wait for the first loop");
    first.runAll();
    assertEquals(List.of("a"), a.written);
    assertEquals(List.of("c"), c.written);
  }

  @Test
  void shouldAnswerAtOnceWithoutALoop() {
    Call call = new Call();
    try (BatchAnswers answering = BatchAnswers.open()) {
      send(null, call, "in-process");
      assertEquals(List.of("in-process"), call.written);
    }
  }

  @Test
  void shouldAnswerAtOnceOutsideABatch() {
    Loop loop = new Loop();
    Call call = new Call();
    send(loop, call, "alone");
    assertEquals(List.of("alone"), call.written);
    assertEquals(0, loop.tasks.size());
  }

  @Test
  void shouldWakeTheLoopOncePerBatchAcrossBatches() {
    Loop loop = new Loop();
    for (int batch = 0; batch < 3; batch++) {
      try (BatchAnswers answering = BatchAnswers.open()) {
        send(loop, new Call(), "x");
        send(loop, new Call(), "y");
      }
      assertEquals(batch + 1, loop.tasks.size());
    }
  }

  @Test
  void shouldWriteTheAnswersOnTheWorkerWhenTheLoopIsGone() {
    Executor gone =
        task -> {
          throw new RejectedExecutionException("event loop shut down");
        };
    Call call = new Call();
    try (BatchAnswers answering = BatchAnswers.open()) {
      send(gone, call, "late");
    }
    assertEquals(List.of("late"), call.written);
  }

  @Test
  void shouldNeverHandATaskOverTwiceWhenTheLoopThrowsAnErrorAfterQueueingIt() {
    Loop queuedThenFailed =
        new Loop() {
          @Override
          public void execute(Runnable task) {
            super.execute(task);
            throw new OutOfMemoryError("after queueing, on purpose");
          }
        };
    Call first = new Call();
    // The mark's close is expected to throw here, so it is closed by hand.
    BatchAnswers answering = BatchAnswers.open();
    send(queuedThenFailed, first, "first");
    assertThrows(OutOfMemoryError.class, answering::close);

    Loop loop = new Loop();
    Call second = new Call();
    BatchAnswers next = BatchAnswers.open();
    send(queuedThenFailed, second, "second");
    send(loop, new Call(), "other");
    assertThrows(OutOfMemoryError.class, next::close);
    assertEquals(1, loop.tasks.size(), "the next batch still reaches the other loop");

    queuedThenFailed.runAll();
    assertEquals(List.of("first"), first.written, "written once");
    assertEquals(List.of("second"), second.written, "in a task of its own");
  }

  @Test
  void shouldStillWriteTheOtherAnswersWhenOneWriteFails() {
    Loop loop = new Loop();
    Call fine = new Call();
    answerAfterAFailingWrite(
        loop,
        fine,
        () -> {
          throw new IllegalStateException("connection already closed");
        });
    loop.runAll();
    assertEquals(List.of("fine"), fine.written);
  }

  @Test
  void shouldWriteTheOtherAnswersBeforeRethrowingAnErrorFromOneWrite() {
    Loop loop = new Loop();
    Call fine = new Call();
    answerAfterAFailingWrite(
        loop,
        fine,
        () -> {
          throw new OutOfMemoryError("on purpose");
        });
    assertThrows(OutOfMemoryError.class, loop::runAll);
    assertEquals(List.of("fine"), fine.written, "a REST connection skipped would stay busy");
  }

  /** One batch whose answers for {@code loop} are a write that throws, then {@code fine}'s. */
  private void answerAfterAFailingWrite(Loop loop, Call fine, Runnable failingWrite) {
    try (BatchAnswers answering = BatchAnswers.open()) {
      outbox.send(loop, failingWrite);
      send(loop, fine, "fine");
    }
  }

  @Test
  void shouldGiveEachWorkerThreadItsOwnOutbox() throws Exception {
    AnswerOutbox[] other = new AnswerOutbox[1];
    Thread thread = new Thread(() -> other[0] = AnswerOutbox.ofThisThread());
    thread.start();
    thread.join();
    assertSame(AnswerOutbox.ofThisThread(), AnswerOutbox.ofThisThread());
    assertEquals(false, other[0] == AnswerOutbox.ofThisThread());
  }
}
