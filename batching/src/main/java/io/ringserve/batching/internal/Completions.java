package io.ringserve.batching.internal;

import io.ringserve.batching.InferenceException;
import io.ringserve.batching.InferenceRequest;
import io.ringserve.batching.Tensor;
import java.util.List;

/**
 * Where every admitted request's answer goes: straight to its callback, or through a reorder buffer
 * when the model preserves ordering. Each method takes the request's arrival sequence (its ring
 * sequence).
 *
 * <p>Thread-safe: workers, the batcher and (after termination) producers answer concurrently.
 */
interface Completions {

  /**
   * Answers {@code request} with its outputs. A caller must report how many of its calls returned
   * true through {@link #batchSucceeded}: direct completions count successes there, not here.
   *
   * @return true if this call decided the request's answer (false if it was decided already)
   */
  boolean succeed(long sequence, InferenceRequest request, List<Tensor> outputs);

  /**
   * Answers {@code request} with a failure.
   *
   * @return true if this call decided the request's answer
   */
  boolean fail(long sequence, InferenceRequest request, InferenceException failure);

  /**
   * Called by a worker once per batch, after its {@link #succeed} calls, with how many of them
   * returned true: answers given directly are counted here with one atomic add per batch instead of
   * one per request.
   */
  void batchSucceeded(long answered);

  /** Releases whatever is held back; answers after this go straight to their callbacks. */
  void close();

  /** The completions for {@code preserveOrdering}. */
  static Completions create(boolean preserveOrdering, StatisticsRecorder statistics) {
    return preserveOrdering
        ? new OrderedCompletions(statistics)
        : new DirectCompletions(statistics);
  }
}
