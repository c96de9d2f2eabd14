package io.ringserve.server.backend;

import io.ringserve.batching.ModelRunner;
import io.ringserve.server.model.TensorSpec;
import java.util.List;

/**
 * One loaded model version: its signature and a factory of runners, one per model instance.
 *
 * <p>Thread-safe. Closing it frees the engine's memory; runners made from it must be closed first.
 */
public interface LoadedModel extends AutoCloseable {

  /** The model's inputs with full shapes, -1 for variable dimensions (batch included). */
  List<TensorSpec> inputs();

  /** The model's outputs with full shapes, in the order runners return them. */
  List<TensorSpec> outputs();

  /** A runner for one model instance. */
  ModelRunner newRunner();

  /**
   * Increasing batch sizes at which the engine's slow first-run work starts over: each range they
   * delimit (1 up to the first, from each one up to the next, from the last one on) needs a warmup
   * run of its own before requests of that range are fast. Empty (the default) when one warmup run
   * of any batch size warms the whole model.
   */
  default long[] warmupBoundaries() {
    return new long[0];
  }

  @Override
  void close();
}
