package io.ringserve.batching.internal;

import io.ringserve.batching.InferenceException;
import io.ringserve.batching.InferenceRequest;
import io.ringserve.batching.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Answers requests in arrival order ({@code preserve_ordering}): an answer decided early waits
 * until every request that arrived before it has been answered, across all instances.
 *
 * <p>Every admitted request owns one ring sequence and every sequence is decided exactly once (run,
 * refused by the batcher, or failed at shutdown), so the buffer never waits for a gap that will not
 * fill; {@link #close()} flushes it at shutdown regardless.
 *
 * <p>Thread-safe. A single lock orders the answers; callbacks run while it is held, which is what
 * keeps them in order, so they must not block (the callback contract already says so). This costs a
 * lock per answer, paid only by models that ask for ordering.
 */
final class OrderedCompletions implements Completions {
  private final StatisticsRecorder statistics;

  // @GuardedBy("this")
  private final Map<Long, Answer> held = new HashMap<>();
  // @GuardedBy("this")
  private long next;
  // @GuardedBy("this")
  private boolean closed;

  OrderedCompletions(StatisticsRecorder statistics) {
    this.statistics = statistics;
  }

  @Override
  public boolean succeed(long sequence, InferenceRequest request, List<Tensor> outputs) {
    return decide(sequence, new Answer(request, outputs, null));
  }

  @Override
  public boolean fail(long sequence, InferenceRequest request, InferenceException failure) {
    boolean decided = decide(sequence, new Answer(request, null, failure));
    if (decided) {
      statistics.failed(1, System.nanoTime() - request.arrivalNanos());
    }
    return decided;
  }

  private synchronized boolean decide(long sequence, Answer answer) {
    if (answer.request.isCompleted()) {
      return false;
    }
    if (closed) {
      return deliver(answer);
    }
    if (sequence < next || held.putIfAbsent(sequence, answer) != null) {
      return false;
    }
    Answer ready;
    while ((ready = held.remove(next)) != null) {
      next++;
      deliver(ready);
    }
    return true;
  }

  @Override
  public void batchSucceeded(long answered) {
    // counted when delivered, which may be later
  }

  @Override
  public synchronized void close() {
    closed = true;
    for (Answer answer : new TreeMap<>(held).values()) {
      deliver(answer);
    }
    held.clear();
  }

  private boolean deliver(Answer answer) {
    boolean answered =
        answer.failure == null
            ? Callbacks.succeed(answer.request, answer.outputs)
            : Callbacks.fail(answer.request, answer.failure);
    if (answered) {
      statistics.answered(1);
    }
    return answered;
  }

  /** A decided answer waiting for its turn. */
  private static final class Answer {
    final InferenceRequest request;
    final List<Tensor> outputs;
    final InferenceException failure;

    Answer(InferenceRequest request, List<Tensor> outputs, InferenceException failure) {
      this.request = request;
      this.outputs = outputs;
      this.failure = failure;
    }
  }
}
