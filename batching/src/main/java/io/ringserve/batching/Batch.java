package io.ringserve.batching;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The requests that run together in one model execution, with their inputs already concatenated
 * along dimension 0 (one copy per input per batch; a batch of one request views the request's own
 * data without copying).
 *
 * <p>Not thread-safe: a batch is made and run by one worker thread.
 */
public final class Batch {
  private final List<InferenceRequest> requests;
  private final long size;
  private final List<Tensor> inputs;
  private final Set<String> requestedOutputs;
  private long inputsReadyNanos;
  private long inferenceDoneNanos;

  private Batch(
      List<InferenceRequest> requests, long size, List<Tensor> inputs, Set<String> outputs) {
    if (size < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + size);
    }
    this.requests = List.copyOf(requests);
    this.size = size;
    this.inputs = List.copyOf(inputs);
    this.requestedOutputs = Set.copyOf(outputs);
  }

  /**
   * A batch of queued requests.
   *
   * @param size the total batch dimension (sum of the requests' batch sizes), 1 for a model that
   *     does not batch
   * @param inputs the concatenated inputs
   * @param requestedOutputs the union of the requests' requested outputs; empty means all
   */
  public static Batch of(
      List<InferenceRequest> requests,
      long size,
      List<Tensor> inputs,
      Set<String> requestedOutputs) {
    return new Batch(
        Objects.requireNonNull(requests, "requests"),
        size,
        Objects.requireNonNull(inputs, "inputs"),
        Objects.requireNonNull(requestedOutputs, "requestedOutputs"));
  }

  /** A batch with no queued requests behind it, for calling a runner directly. */
  public static Batch direct(long size, List<Tensor> inputs, Set<String> requestedOutputs) {
    return of(List.of(), size, inputs, requestedOutputs);
  }

  /** The requests in the batch, in the order their rows appear; empty for a direct batch. */
  public List<InferenceRequest> requests() {
    return requests;
  }

  /** The total batch dimension. */
  public long size() {
    return size;
  }

  /** The concatenated inputs, in the order of the first request's inputs. */
  public List<Tensor> inputs() {
    return inputs;
  }

  /** The input named {@code name}, or {@code null}. */
  public Tensor input(String name) {
    for (Tensor input : inputs) {
      if (input.name().equals(name)) {
        return input;
      }
    }
    return null;
  }

  /** The outputs to compute; empty means all of the model's outputs. */
  public Set<String> requestedOutputs() {
    return requestedOutputs;
  }

  /** Called by a runner when the inputs are in the engine. */
  public void markInputsReady() {
    inputsReadyNanos = System.nanoTime();
  }

  /** Called by a runner when the engine has run and only output copies remain. */
  public void markInferenceDone() {
    inferenceDoneNanos = System.nanoTime();
  }

  /** When {@link #markInputsReady()} was called, or 0. */
  public long inputsReadyNanos() {
    return inputsReadyNanos;
  }

  /** When {@link #markInferenceDone()} was called, or 0. */
  public long inferenceDoneNanos() {
    return inferenceDoneNanos;
  }
}
