package io.ringserve.batching.internal;

import io.ringserve.batching.InferenceException;
import io.ringserve.batching.InferenceRequest;
import io.ringserve.batching.Tensor;
import java.util.List;

/**
 * Invokes request callbacks so that a throwing callback cannot take a scheduler thread down with
 * it: the request counts as answered either way (the exactly-once guard has already flipped).
 *
 * <p>Stateless and thread-safe.
 */
final class Callbacks {
  private static final System.Logger LOG = System.getLogger(Callbacks.class.getName());

  private Callbacks() {}

  static boolean succeed(InferenceRequest request, List<Tensor> outputs) {
    try {
      return request.succeed(outputs);
    } catch (RuntimeException callbackFailure) {
      LOG.log(
          System.Logger.Level.WARNING,
          "onSuccess callback of " + request + " threw",
          callbackFailure);
      return true;
    }
  }

  static boolean fail(InferenceRequest request, InferenceException failure) {
    try {
      return request.fail(failure);
    } catch (RuntimeException callbackFailure) {
      LOG.log(
          System.Logger.Level.WARNING,
          "onFailure callback of " + request + " threw",
          callbackFailure);
      return true;
    }
  }
}
