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

  @Override
  void close();
}
