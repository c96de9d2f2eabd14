package io.ringserve.batching.internal;

import io.ringserve.batching.InferenceRequest;
import io.ringserve.batching.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Joins the inputs of a batch's requests along dimension 0.
 *
 * <p>Each input costs one heap allocation of the batch's total size and one bulk copy per request:
 * fixed-size types and BYTES alike, since BYTES data with its length prefixes concatenates as it
 * is. A fresh buffer per batch (rather than a reused one) is deliberate: a runner may hand inputs
 * back as outputs, and those views reach callers after the worker has moved on.
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
      long bytes = 0;
      for (InferenceRequest request : requests) {
        bytes += input(request, index, name).byteSize();
      }
      if (bytes > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "input '" + name + "' of the batch would hold " + bytes + " bytes, more than 2 GiB");
      }
      ByteBuffer data = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
      for (InferenceRequest request : requests) {
        input(request, index, name).copyTo(data);
      }
      data.flip();
      long[] shape = template.shape();
      shape[0] = batchSize;
      joined.add(Tensor.of(name, template.dataType(), shape, data));
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
