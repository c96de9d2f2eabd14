package io.ringserve.server.internal.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.stub.StreamObserver;
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

  /** A call that records what was written to it, in order. */
  private static class Call implements StreamObserver<InferReply> {
    final List<String> written = new ArrayList<>();

    @Override
    public void onNext(InferReply reply) {
      written.add("reply " + reply.id());
    }

    @Override
    public void onError(Throwable failure) {
      written.add("error " + failure.getMessage());
    }

    @Override
    public void onCompleted() {
      written.add("completed");
    }
  }

  private static InferReply reply(String id) {
    return new InferReply("model", "1", id, List.of());
  }

  @Test
  void shouldHandAllOfOneLoopsAnswersOverAsOneTaskAfterTheBatch() {
    Loop loop = new Loop();
    List<Call> calls = new ArrayList<>();
    BatchAnswers answering = BatchAnswers.open();
    for (int i = 0; i < 27; i++) {
      Call call = new Call();
      calls.add(call);
      outbox.send(loop, call, reply("r" + i));
    }
    assertEquals(0, loop.tasks.size(), "nothing reaches the loop while the batch is answered");
    assertEquals(List.of(), calls.get(0).written);
    answering.close();
    assertEquals(1, loop.tasks.size(), "one wake-up of the loop for the batch");
    assertEquals(List.of(), calls.get(0).written, "written by the loop, not the worker");
    loop.runAll();
    for (int i = 0; i < calls.size(); i++) {
      assertEquals(List.of("reply r" + i, "completed"), calls.get(i).written);
    }
  }

  @Test
  void shouldHandEachLoopItsOwnAnswers() {
    Loop first = new Loop();
    Loop second = new Loop();
    Call a = new Call();
    Call b = new Call();
    Call c = new Call();
    BatchAnswers answering = BatchAnswers.open();
    outbox.send(first, a, reply("a"));
    outbox.send(second, b, reply("b"));
    outbox.send(first, c, reply("c"));
    answering.close();
    assertEquals(1, first.tasks.size());
    assertEquals(1, second.tasks.size());
    second.runAll();
    assertEquals(List.of("reply b", "completed"), b.written);
    assertEquals(List.of(), a.written, "the first loop's answers wait for the first loop");
    first.runAll();
    assertEquals(List.of("reply a", "completed"), a.written);
    assertEquals(List.of("reply c", "completed"), c.written);
  }

  @Test
  void shouldAnswerAtOnceWithoutALoop() {
    Call call = new Call();
    BatchAnswers answering = BatchAnswers.open();
    try {
      outbox.send(null, call, reply("in-process"));
      assertEquals(List.of("reply in-process", "completed"), call.written);
    } finally {
      answering.close();
    }
  }

  @Test
  void shouldAnswerAtOnceOutsideABatch() {
    Loop loop = new Loop();
    Call call = new Call();
    outbox.send(loop, call, reply("alone"));
    assertEquals(List.of("reply alone", "completed"), call.written);
    assertEquals(0, loop.tasks.size());
  }

  @Test
  void shouldWakeTheLoopOncePerBatchAcrossBatches() {
    Loop loop = new Loop();
    for (int batch = 0; batch < 3; batch++) {
      BatchAnswers answering = BatchAnswers.open();
      outbox.send(loop, new Call(), reply("x"));
      outbox.send(loop, new Call(), reply("y"));
      answering.close();
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
    BatchAnswers answering = BatchAnswers.open();
    outbox.send(gone, call, reply("late"));
    answering.close();
    assertEquals(List.of("reply late", "completed"), call.written);
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
    BatchAnswers answering = BatchAnswers.open();
    outbox.send(queuedThenFailed, first, reply("first"));
    assertThrows(OutOfMemoryError.class, answering::close);

    Loop loop = new Loop();
    Call second = new Call();
    BatchAnswers next = BatchAnswers.open();
    outbox.send(queuedThenFailed, second, reply("second"));
    outbox.send(loop, new Call(), reply("other"));
    assertThrows(OutOfMemoryError.class, next::close);
    assertEquals(1, loop.tasks.size(), "the next batch still reaches the other loop");

    queuedThenFailed.runAll();
    assertEquals(List.of("reply first", "completed"), first.written, "written once");
    assertEquals(List.of("reply second", "completed"), second.written, "in a task of its own");
  }

  @Test
  void shouldStillWriteTheOtherAnswersWhenOneWriteFails() {
    Loop loop = new Loop();
    Call broken =
        new Call() {
          @Override
          public void onNext(InferReply reply) {
            throw new IllegalStateException("call already closed");
          }
        };
    Call fine = new Call();
    BatchAnswers answering = BatchAnswers.open();
    outbox.send(loop, broken, reply("broken"));
    outbox.send(loop, fine, reply("fine"));
    answering.close();
    loop.runAll();
    assertEquals(1, broken.written.size());
    assertEquals(
        "error INTERNAL: failed to write the response:", broken.written.get(0).substring(0, 45));
    assertEquals(List.of("reply fine", "completed"), fine.written);
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
