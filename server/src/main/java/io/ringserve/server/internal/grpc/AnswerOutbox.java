package io.ringserve.server.internal.grpc;

import io.grpc.Status;
import io.grpc.netty.shaded.io.netty.util.internal.ThreadExecutorMap;
import io.grpc.stub.StreamObserver;
import io.ringserve.batching.BatchAnswers;
import java.util.ArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Holds the unary {@code ModelInfer} answers a worker gives inside one batch and hands each call's
 * event loop one task that writes all of that loop's answers, once the batch is answered ({@link
 * BatchAnswers}).
 *
 * <p>Why: an answer written from the worker makes gRPC schedule a flush on the call's event loop,
 * which wakes the loop (an {@code eventfd} write) once per answer. On a machine with few cores the
 * woken loop preempts the worker, writes one answer and sleeps, and the next answer wakes it again:
 * several wake-ups per batch, each costing both threads. Handed over as one task, the loop wakes
 * once per batch and writes every answer in one go; the replies are then encoded on the loop rather
 * than on the worker. Answers outside a batch (refused at once, expired, shutdown) and calls that
 * did not start on an event loop (the in-process transport) are written at once, as before.
 *
 * <p>Threading: one outbox per worker thread ({@link #ofThisThread()}), used only by it; each
 * handed-over task is then the loop's alone. A call is written by one thread at a time: the worker
 * leaves it when it queues the answer, and the executor's hand-over orders the two. Cost per
 * request: a thread-local lookup and two list slots; per batch and loop: one task.
 */
final class AnswerOutbox {
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

  /** The outbox of the calling thread. */
  static AnswerOutbox ofThisThread() {
    return PER_THREAD.get();
  }

  /** The event loop the calling thread runs, or null when it is not a Netty thread. */
  static Executor currentLoop() {
    return ThreadExecutorMap.currentExecutor();
  }

  /**
   * Answers {@code call} with {@code reply}: on {@code loop} once the batch being answered on this
   * thread is answered, or at once when {@code loop} is null or this thread answers no batch.
   */
  void send(Executor loop, StreamObserver<InferReply> call, InferReply reply) {
    if (loop == null || (waiting.isEmpty() && !BatchAnswers.defer(flush))) {
      call.onNext(reply);
      call.onCompleted();
      return;
    }
    answersFor(loop).add(call, reply);
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
      // The loop is gone with its connections; the calls are cancelled, and writing them here
      // ends each the way a cancelled call ends.
      answers.run();
    }
  }

  /** One loop's answers from one batch; run on that loop. */
  private static final class LoopAnswers implements Runnable {
    final Executor loop;
    private final ArrayList<StreamObserver<InferReply>> calls = new ArrayList<>();
    private final ArrayList<InferReply> replies = new ArrayList<>();

    LoopAnswers(Executor loop) {
      this.loop = loop;
    }

    void add(StreamObserver<InferReply> call, InferReply reply) {
      calls.add(call);
      replies.add(reply);
    }

    @Override
    public void run() {
      for (int i = 0; i < calls.size(); i++) {
        StreamObserver<InferReply> call = calls.get(i);
        try {
          call.onNext(replies.get(i));
          call.onCompleted();
        } catch (RuntimeException e) {
          // One broken answer must not keep the others in this task from their callers.
          LOG.log(System.Logger.Level.WARNING, "writing a ModelInfer answer failed", e);
          failQuietly(call, e);
        }
      }
    }

    private static void failQuietly(StreamObserver<InferReply> call, RuntimeException cause) {
      try {
        call.onError(
            Status.INTERNAL
                .withDescription("failed to write the response: " + cause)
                .asRuntimeException());
      } catch (RuntimeException alreadyEnded) {
        // The call ended as it failed; nothing more can reach its caller.
      }
    }
  }
}
