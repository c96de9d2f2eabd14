package io.ringserve.batching.internal;

import io.ringserve.batching.Batch;
import io.ringserve.batching.BatchAnswers;
import io.ringserve.batching.InferenceException;
import io.ringserve.batching.InferenceException.Reason;
import io.ringserve.batching.InferenceRequest;
import io.ringserve.batching.ModelRunner;
import io.ringserve.batching.Tensor;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Runs one scheduled batch on a runner: concatenates the inputs, calls {@link ModelRunner#run},
 * splits the outputs back per request, answers every request and records the statistics.
 *
 * <p>A batch of one request runs on the request's own tensors and gets the outputs whole, so the
 * common unbatched case copies nothing. Any failure of the runner fails this batch's requests only:
 * an {@link InferenceException} as it is, anything else as MODEL_ERROR with its message.
 *
 * <p>Thread-safe and stateless apart from the shared statistics; each worker calls it with its own
 * runner.
 */
final class BatchExecutor {
  private final boolean batchesRequests;
  private final Completions completions;
  private final StatisticsRecorder statistics;

  BatchExecutor(boolean batchesRequests, Completions completions, StatisticsRecorder statistics) {
    this.batchesRequests = batchesRequests;
    this.completions = completions;
    this.statistics = statistics;
  }

  void execute(ModelRunner runner, ScheduledBatch scheduled) {
    long start = System.nanoTime();
    InferenceRequest[] requests = scheduled.requests;
    Batch batch;
    List<Tensor> outputs;
    List<List<Tensor>> split = null;
    long inputsReady;
    long inferenceDone;
    try {
      batch = batchOf(scheduled);
      inputsReady = System.nanoTime();
      outputs = runner.run(batch);
      inferenceDone = System.nanoTime();
      if (outputs == null) {
        throw new InferenceException(Reason.MODEL_ERROR, "model runner returned no outputs");
      }
      if (batchesRequests) {
        OutputSplitter.checkRows(outputs, scheduled.size);
        if (requests.length > 1) {
          split = OutputSplitter.split(requests, outputs);
        }
      }
    } catch (Throwable failure) {
      try (BatchAnswers answering = BatchAnswers.open()) {
        failAll(scheduled, asInferenceException(failure));
      }
      return;
    }
    if (batch.inputsReadyNanos() != 0) {
      inputsReady = batch.inputsReadyNanos();
    }
    if (batch.inferenceDoneNanos() != 0) {
      inferenceDone = batch.inferenceDoneNanos();
    }
    statistics.ran(scheduled.size);
    long queueNanos = 0;
    long succeeded = 0;
    // What the callbacks put off to the batch's end (one wake-up of each network thread, not one
    // per answer) runs when this mark closes, also if a callback threw.
    try (BatchAnswers answering = BatchAnswers.open()) {
      try {
        for (int i = 0; i < requests.length; i++) {
          InferenceRequest request = requests[i];
          List<Tensor> mine =
              split != null ? split.get(i) : OutputSplitter.wanted(request, outputs);
          if (completions.succeed(scheduled.sequences[i], request, mine)) {
            succeeded++;
            queueNanos += start - request.arrivalNanos();
          }
        }
      } finally {
        // Even if a callback threw an Error: the requests answered so far leave the pending count.
        completions.batchSucceeded(succeeded);
      }
    }
    long end = System.nanoTime();
    long requestNanos = 0;
    for (int i = 0; i < requests.length; i++) {
      requestNanos += end - requests[i].arrivalNanos();
    }
    if (succeeded != requests.length) {
      // Some requests were answered elsewhere (shutdown); charge only the ones answered here.
      requestNanos = requestNanos / requests.length * succeeded;
    }
    statistics.executed(
        scheduled.size,
        succeeded,
        requestNanos,
        queueNanos,
        inputsReady - start,
        inferenceDone - inputsReady,
        end - inferenceDone);
  }

  private Batch batchOf(ScheduledBatch scheduled) {
    InferenceRequest[] requests = scheduled.requests;
    List<InferenceRequest> members = Arrays.asList(requests);
    if (requests.length == 1) {
      InferenceRequest only = requests[0];
      return Batch.of(members, scheduled.size, only.inputs(), Set.copyOf(only.requestedOutputs()));
    }
    return Batch.of(
        members,
        scheduled.size,
        InputConcatenator.concatenate(requests, scheduled.size),
        requestedOutputs(requests));
  }

  /** The union of the requests' requested outputs; empty (all) if any request wants all. */
  private static Set<String> requestedOutputs(InferenceRequest[] requests) {
    Set<String> union = null;
    for (InferenceRequest request : requests) {
      List<String> names = request.requestedOutputs();
      if (names.isEmpty()) {
        return Set.of();
      }
      if (union == null) {
        union = new HashSet<>(names);
      } else {
        union.addAll(names);
      }
    }
    return union;
  }

  private void failAll(ScheduledBatch scheduled, InferenceException failure) {
    InferenceRequest[] requests = scheduled.requests;
    for (int i = 0; i < requests.length; i++) {
      completions.fail(scheduled.sequences[i], requests[i], failure);
    }
  }

  private static InferenceException asInferenceException(Throwable failure) {
    if (failure instanceof InferenceException) {
      return (InferenceException) failure;
    }
    String message = failure.getMessage();
    return new InferenceException(
        Reason.MODEL_ERROR, message != null ? message : failure.getClass().getName(), failure);
  }
}
