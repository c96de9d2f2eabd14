package io.ringserve.batching.internal;

import io.ringserve.batching.InferenceRequest;

/**
 * The requests picked for one execution, in row order, with their arrival sequences and the total
 * batch dimension.
 *
 * <p>Immutable once formed: the worker that runs it formed it itself, or took it from the volatile
 * handoff, so it sees the arrays fully filled ({@link Wakeups}).
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
