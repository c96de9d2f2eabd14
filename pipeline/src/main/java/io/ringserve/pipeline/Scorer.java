package io.ringserve.pipeline;

import io.ringserve.batching.Tensor;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs one request through a model: in this process ({@link InProcessScorer}) or on a KServe v2
 * server ({@link RemoteScorer}).
 *
 * <p>Thread-safe; {@link #infer} never blocks: the caller bounds how many requests it keeps in
 * flight.
 */
public interface Scorer extends AutoCloseable {

  /** The model's inputs, outputs and batch limit. */
  ModelSignature signature();

  /**
   * Sends one request. The future completes with the outputs in the model's output order, or
   * exceptionally with a message that says what went wrong.
   */
  CompletableFuture<List<Tensor>> infer(List<Tensor> inputs);

  /** Where the model runs, for logs. */
  String describe();

  @Override
  void close();
}
