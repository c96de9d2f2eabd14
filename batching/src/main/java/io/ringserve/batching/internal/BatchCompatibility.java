package io.ringserve.batching.internal;

import io.ringserve.batching.InferenceRequest;
import io.ringserve.batching.Tensor;
import java.util.List;

/**
 * Decides whether two requests can share a batch: the same input names, and for each input the same
 * datatype and the same shape apart from dimension 0 (Triton's "required equal inputs", applied to
 * every input since a concatenated tensor can have only one inner shape).
 *
 * <p>Stateless and thread-safe; O(inputs) when both requests list their inputs in the same order,
 * O(inputs²) otherwise.
 */
final class BatchCompatibility {
  private BatchCompatibility() {}

  static boolean compatible(InferenceRequest first, InferenceRequest other) {
    List<Tensor> a = first.inputs();
    List<Tensor> b = other.inputs();
    int n = a.size();
    if (b.size() != n) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      Tensor mine = a.get(i);
      Tensor theirs = b.get(i);
      if (mine == theirs) {
        continue;
      }
      if (!mine.name().equals(theirs.name())) {
        theirs = find(b, mine.name());
        if (theirs == null) {
          return false;
        }
      }
      if (mine.dataType() != theirs.dataType() || !mine.sameInnerShape(theirs)) {
        return false;
      }
    }
    return true;
  }

  static Tensor find(List<Tensor> tensors, String name) {
    for (int i = 0, n = tensors.size(); i < n; i++) {
      Tensor tensor = tensors.get(i);
      if (tensor.name().equals(name)) {
        return tensor;
      }
    }
    return null;
  }
}
