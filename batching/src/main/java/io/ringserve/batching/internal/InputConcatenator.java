package io.ringserve.batching.internal;

import io.ringserve.batching.InferenceRequest;
import io.ringserve.batching.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Joins the inputs of a batch's requests along dimension 0.
 *
 * <p>Nothing is copied here: each input of the batch is a {@link Tensor#joined} tensor over the
 * requests' own inputs, which the engine's converter copies straight into the engine's memory, part
 * by part (fixed-size types and BYTES alike, since BYTES data with its length prefixes concatenates
 * as it is). Only a runner that asks for one buffer ({@link Tensor#data()}) gets a heap copy, made
 * then; it is a fresh buffer per batch because a runner may hand inputs back as outputs, and those
 * views reach callers after the worker has moved on.
 *
 * <p>Stateless and thread-safe.
 */
final class InputConcatenator {
  private InputConcatenator() {}

  /**
   * The concatenated inputs, in the first request's input order. The requests must be {@link
   * BatchCompatibility#compatible} with the first.
   */
  static List<Tensor> concatenate(InferenceRequest[] requests, long batchSize) {
    List<Tensor> layout = requests[0].inputs();
    List<Tensor> joined = new ArrayList<>(layout.size());
    for (int index = 0; index < layout.size(); index++) {
      Tensor template = layout.get(index);
      String name = template.name();
      List<Tensor> parts = new ArrayList<>(requests.length);
      for (InferenceRequest request : requests) {
        parts.add(input(request, index, name));
      }
      long[] shape = template.shape();
      shape[0] = batchSize;
      joined.add(Tensor.joined(name, template.dataType(), shape, parts));
    }
    return joined;
  }

  /** The request's input {@code name}; usually at {@code index}, as callers list inputs alike. */
  private static Tensor input(InferenceRequest request, int index, String name) {
    List<Tensor> inputs = request.inputs();
    Tensor likely = inputs.get(index);
    if (likely.name().equals(name)) {
      return likely;
    }
    Tensor tensor = BatchCompatibility.find(inputs, name);
    if (tensor == null) {
      throw new IllegalStateException("request " + request + " lacks input '" + name + "'");
    }
    return tensor;
  }
}
