package io.ringserve.batching.internal;

import io.ringserve.batching.BatchPolicy;
import io.ringserve.batching.InferenceRequest;
import io.ringserve.batching.Tensor;
import java.util.List;

/**
 * The checks a request must pass before it is queued, done on the submitting thread so that a bad
 * request never reaches the batcher: for a model that batches, every input has a leading batch
 * dimension, all inputs agree on it, and it lies in {@code [1, max_batch_size]}.
 *
 * <p>Stateless and thread-safe; O(inputs).
 */
final class SubmitChecks {
  private SubmitChecks() {}

  /** Why {@code request} cannot be queued, or {@code null} if it can. */
  static String batchDimensionProblem(
      String modelName, BatchPolicy policy, InferenceRequest request) {
    if (!policy.batchesRequests()) {
      return null;
    }
    List<Tensor> inputs = request.inputs();
    Tensor first = inputs.get(0);
    for (int i = 0, n = inputs.size(); i < n; i++) {
      Tensor input = inputs.get(i);
      if (input.rank() == 0) {
        return "input '"
            + input.name()
            + "' has no batch dimension, but model '"
            + modelName
            + "' batches (max_batch_size "
            + policy.maxBatchSize()
            + ")";
      }
      if (input.dim(0) != first.dim(0)) {
        return "input '"
            + input.name()
            + "' has batch dimension "
            + input.dim(0)
            + " but input '"
            + first.name()
            + "' has "
            + first.dim(0);
      }
    }
    long rows = first.dim(0);
    if (rows < 1 || rows > policy.maxBatchSize()) {
      return "inference request batch-size must be in [1, "
          + policy.maxBatchSize()
          + "] for '"
          + modelName
          + "', got "
          + rows;
    }
    return null;
  }
}
