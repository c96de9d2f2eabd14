package io.ringserve.batching;

import java.util.ArrayList;

/**
 * Lets code that runs inside a batch's answers put work off until the whole batch is answered, so
 * that work shared by the batch's requests is done once per batch rather than once per request. The
 * server uses it to wake each network thread once per batch instead of once per answer: on a
 * machine with few cores every wake-up can preempt the thread that is still answering.
 *
 * <p>A scheduler marks a batch's answers with {@link #open()} and {@link #close()} on the thread
 * that answers them (the worker); {@link InferenceCallback}s called in between may {@link #defer}
 * actions, which run on that thread right after {@link #close()}, in the order deferred, each once.
 * An action that throws a {@link RuntimeException} is logged as a throwing callback is, and the
 * others still run. Outside a marked batch nothing is deferred: {@link #defer} returns false and
 * the caller acts at once.
 *
 * <p>Threading: one instance per thread, reached only from that thread. Cost: a thread-local lookup
 * per call and a list reused by the thread, so nothing is allocated per request.
 */
public final class BatchAnswers implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(BatchAnswers.class.getName());
  private static final ThreadLocal<BatchAnswers> CURRENT =
      ThreadLocal.withInitial(BatchAnswers::new);

  /** Nested marks of this thread; deferred actions run when the outermost one closes. */
  private int depth;

  private final ArrayList<Runnable> deferred = new ArrayList<>();

  private BatchAnswers() {}

  /**
   * Marks the calling thread as answering a batch until {@link #close()}; to be used as {@code try
   * (BatchAnswers answering = BatchAnswers.open()) { ... }}. Marks nest.
   */
  public static BatchAnswers open() {
    BatchAnswers answers = CURRENT.get();
    answers.depth++;
    return answers;
  }

  /**
   * Runs {@code action} on this thread once the batch being answered on it is answered.
   *
   * @return true if deferred; false if this thread is not answering a batch, and the caller must
   *     act at once
   */
  public static boolean defer(Runnable action) {
    if (action == null) {
      throw new NullPointerException("action");
    }
    BatchAnswers answers = CURRENT.get();
    if (answers.depth == 0) {
      return false;
    }
    answers.deferred.add(action);
    return true;
  }

  /**
   * Ends this thread's mark and, if it was the outermost, runs what was deferred. An {@link Error}
   * thrown by an action is rethrown after the remaining actions have run.
   */
  @Override
  public void close() {
    if (depth == 0) {
      throw new IllegalStateException("close() without open() on " + Thread.currentThread());
    }
    if (--depth == 0) {
      runDeferred();
    }
  }

  private void runDeferred() {
    Error error = null;
    // Indexed: an action may defer again; with the mark closed that runs at once, not here.
    for (int i = 0; i < deferred.size(); i++) {
      Runnable action = deferred.set(i, null);
      try {
        action.run();
      } catch (RuntimeException failure) {
        LOG.log(System.Logger.Level.WARNING, "action deferred to a batch's end threw", failure);
      } catch (Error failure) {
        if (error == null) {
          error = failure;
        } else {
          error.addSuppressed(failure);
        }
      }
    }
    deferred.clear();
    if (error != null) {
      throw error;
    }
  }
}
