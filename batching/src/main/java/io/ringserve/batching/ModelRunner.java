package io.ringserve.batching;

import java.util.List;

/**
 * Runs batches through one instance of a model; each backend (TensorFlow, ONNX Runtime, a test
 * fake) implements it.
 *
 * <p>Threading: a runner instance is used by one worker thread at a time, so it may keep
 * per-instance state (a session, reusable buffers) without locks. A model with N instances has N
 * runners.
 */
public interface ModelRunner extends AutoCloseable {

  /**
   * Runs one batch and returns the outputs the batch asks for ({@link Batch#requestedOutputs()},
   * all outputs if empty), in the model's output order.
   *
   * <p>For a model that batches, every input in {@code batch} has dimension 0 equal to {@link
   * Batch#size()}, and every returned output must too: the caller splits outputs back to requests
   * along dimension 0.
   *
   * <p>Optionally, a runner calls {@link Batch#markInputsReady()} once the inputs are in the engine
   * and {@link Batch#markInferenceDone()} once the engine has run, so that statistics can tell
   * input copy, compute and output copy apart.
   *
   * @throws InferenceException with {@link InferenceException.Reason#INVALID_INPUT} for input the
   *     model rejects; any other exception fails the batch as a model error
   */
  List<Tensor> run(Batch batch) throws Exception;

  /** Frees the instance's resources. Called once, after the last {@link #run}. */
  @Override
  default void close() {}
}
