package io.ringserve.batching;

import java.util.List;

/**
 * Receives the answer to one {@link InferenceRequest}: exactly one of the two methods is called,
 * exactly once, on a scheduler thread (or on the submitting thread when the request is refused at
 * once). Implementations must not block: they run on the batching pipeline.
 */
public interface InferenceCallback {

  /**
   * The request ran. {@code outputs} are this request's own rows of the requested outputs, in the
   * model's output order.
   */
  void onSuccess(List<Tensor> outputs);

  /** The request was refused, timed out, was cancelled, or its batch failed. */
  void onFailure(InferenceException failure);
}
