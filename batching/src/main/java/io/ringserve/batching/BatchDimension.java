package io.ringserve.batching;

import java.util.List;

/**
 * The batch-dimension rule of a model that batches ({@code max_batch_size > 0}), in Triton's order
 * and words: every input has a leading batch dimension, all inputs agree on it, and it lies in
 * {@code [1, max_batch_size]}.
 *
 * <p>Written once, applied at two doors. The server's request decoder applies it at the edge, in
 * its place among the other request checks, so that a client sees the first error Triton would
 * give. The scheduler applies it again on submit as its own guard: it is a library, its callers
 * (benchmarks, embedders) need not go through the decoder, and a request whose inputs disagree on
 * their rows would corrupt a formed batch. On the server path that second call never fails; it
 * costs one comparison per input.
 *
 * <p>Stateless and thread-safe; O(inputs), no allocation.
 */
public final class BatchDimension {
  private BatchDimension() {}

  /** What the rule reads of one input: its name and its shape. {@link Tensor} is one. */
  public interface Shaped {
    /** The input's name. */
    String name();

    /** The number of dimensions. */
    int rank();

    /** The size of dimension {@code index}. */
    long dim(int index);
  }

  /**
   * Why {@code inputs} break the rule for {@code model}, or {@code null} if they keep it (an empty
   * list keeps it).
   *
   * @param maxBatchSize the model's {@code max_batch_size}, positive
   */
  public static String problem(String model, int maxBatchSize, List<? extends Shaped> inputs) {
    if (inputs.isEmpty()) {
      return null;
    }
    Shaped first = inputs.get(0);
    if (first.rank() == 0) {
      return noBatchDimension(model, first);
    }
    long batch = first.dim(0);
    for (int i = 1, n = inputs.size(); i < n; i++) {
      Shaped input = inputs.get(i);
      if (input.rank() == 0) {
        return noBatchDimension(model, input);
      }
      if (input.dim(0) != batch) {
        return "input '"
            + input.name()
            + "' batch size does not match other inputs for '"
            + model
            + "'";
      }
    }
    if (batch > maxBatchSize) {
      return "inference request batch-size must be <= "
          + maxBatchSize
          + " for '"
          + model
          + "' (input '"
          + first.name()
          + "' has batch size "
          + batch
          + ")";
    }
    if (batch < 1) {
      return "inference request batch-size must be >= 1 for '"
          + model
          + "' (input '"
          + first.name()
          + "' has batch size "
          + batch
          + ")";
    }
    return null;
  }

  private static String noBatchDimension(String model, Shaped input) {
    return "input '"
        + input.name()
        + "' has no shape but model requires batch dimension for '"
        + model
        + "'";
  }
}
