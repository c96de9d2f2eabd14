package io.ringserve.server.internal.outbox;

import io.ringserve.batching.BatchAnswers;
import java.util.ArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Holds the answers a worker gives inside one batch and hands each network event loop one task that
 * writes all of that loop's answers, once the batch is answered ({@link BatchAnswers}). Both front
 * ends use it: gRPC's unary {@code ModelInfer} and REST's inference route.
 *
 * <p>Why: an answer written from the worker makes the transport schedule a write on the
 * connection's event loop, which wakes the loop (an {@code eventfd} write) once per answer. On a
 * machine with few cores the woken loop preempts the worker, writes one answer and sleeps, and the
 * next answer wakes it again: several wake-ups per batch, each costing both threads. Handed over as
 * one task, the loop wakes once per batch and writes every answer in one go. Answers outside a
 * batch (refused at once, expired, shutdown) and answers with no loop to go to (the in-process
 * transport) are written at once, as before.
 *
 * <p>Threading: one outbox per worker thread ({@link #ofThisThread()}), used only by it; each
 * handed-over task is then the loop's alone. The worker leaves an answer alone once it has queued
 * it, and the executor's hand-over orders the two threads. Cost per answer: a thread-local lookup
 * and a list slot, beside the caller's own {@code write} object; per batch and loop: one task.
 */
public final class AnswerOutbox {
  private static final System.Logger LOG = System.getLogger(AnswerOutbox.class.getName());
  private static final ThreadLocal<AnswerOutbox> PER_THREAD =
      ThreadLocal.withInitial(AnswerOutbox::new);

  /**
   * The answers waiting for each loop, in the order their loops were first seen in the batch. Not
   * empty exactly while {@link #flush} is deferred to the end of the batch being answered: it
   * empties the list whatever happens.
   */
  private final ArrayList<LoopAnswers> waiting = new ArrayList<>();

  private final Runnable flush = this::flush;

  AnswerOutbox() {}

  /** The outbox of the calling thread. */
  public static AnswerOutbox ofThisThread() {
    return PER_THREAD.get();
  }

  /**
   * Runs {@code write} (which writes one answer to its connection) on {@code loop} once the batch
   * being answered on this thread is answered; at once, on this thread, when {@code loop} is null
   * or this thread answers no batch. Run by the loop, a {@code write} that throws keeps no other
   * answer from its caller (an exception is logged, an {@link Error} rethrown after the rest); run
   * at once, it throws to the caller.
   */
  public void send(Executor loop, Runnable write) {
    if (loop == null || (waiting.isEmpty() && !BatchAnswers.defer(flush))) {
      write.run();
      return;
    }
    answersFor(loop).add(write);
  }

  private LoopAnswers answersFor(Executor loop) {
    for (int i = waiting.size() - 1; i >= 0; i--) {
      LoopAnswers answers = waiting.get(i);
      if (answers.loop == loop) {
        return answers;
      }
    }
    LoopAnswers answers = new LoopAnswers(loop);
    waiting.add(answers);
    return answers;
  }

  private void flush() {
    Throwable first = null;
    while (!waiting.isEmpty()) {
      // Out of the list before the hand-over: a task the loop may already hold is never added to
      // or handed over again, even if execute throws after queueing it; and the other loops still
      // get theirs.
      try {
        handOver(waiting.remove(0));
      } catch (RuntimeException | Error failure) {
        if (first == null) {
          first = failure;
        } else {
          first.addSuppressed(failure);
        }
      }
    }
    if (first instanceof Error error) {
      throw error;
    }
    if (first != null) {
      throw (RuntimeException) first;
    }
  }

  private static void handOver(LoopAnswers answers) {
    try {
      answers.loop.execute(answers);
    } catch (RejectedExecutionException shutDown) {
      // The loop is gone with its connections; writing here ends each answer the way a write to a
      // closed connection ends.
      answers.run();
    }
  }

  /** One loop's answers from one batch; run on that loop. */
  private static final class LoopAnswers implements Runnable {
    final Executor loop;
    private final ArrayList<Runnable> writes = new ArrayList<>();

    LoopAnswers(Executor loop) {
      this.loop = loop;
    }

    void add(Runnable write) {
      writes.add(write);
    }

    @Override
    public void run() {
      Error error = null;
      for (Runnable write : writes) {
        // One broken answer must not keep the others in this task from their callers: a REST
        // connection whose answer is skipped would stay busy for good.
        try {
          write.run();
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "writing an answer failed", e);
        } catch (Error e) {
          if (error == null) {
            error = e;
          } else {
            error.addSuppressed(e);
          }
        }
      }
      if (error != null) {
        throw error;
      }
    }
  }
}
