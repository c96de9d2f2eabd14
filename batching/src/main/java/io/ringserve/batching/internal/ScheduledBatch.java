package io.ringserve.batching.internal;

import io.ringserve.batching.InferenceRequest;

/**
 * The requests the batcher picked for one execution, in row order, with their arrival sequences and
 * the total batch dimension.
 *
 * <p>Immutable once handed to a worker; the handoff is a volatile write, so the worker sees the
 * arrays fully filled.
 */
final class ScheduledBatch {
  final InferenceRequest[] requests;
  final long[] sequences;
  final long size;

  ScheduledBatch(InferenceRequest[] requests, long[] sequences, long size) {
    this.requests = requests;
    this.sequences = sequences;
    this.size = size;
  }
}
