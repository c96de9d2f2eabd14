package io.ringserve.batching.internal;

import io.ringserve.batching.BatchPolicy;
import io.ringserve.batching.InferenceCallback;
import io.ringserve.batching.InferenceException;
import io.ringserve.batching.InferenceRequest;
import io.ringserve.batching.Tensor;
import io.ringserve.wire.DataType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch former over its own queues, driven by hand: tests add requests with chosen arrival times
 * and call {@link BatchFormer#form} with a fake {@code now}, so that every delay and timeout rule
 * is checked in microseconds of real time and never on the wall clock.
 */
final class QueuedRequests {
  static final long MICROS = 1_000L;

  final BatchPolicy policy;
  final QueueLimits limits;
  final PendingRequests pending;
  final BatchFormer former;

  /** Requests answered without running, by id, in the order they were answered. */
  final Map<String, InferenceException.Reason> failed = new LinkedHashMap<>();

  private long sequence;

  QueuedRequests(BatchPolicy policy) {
    this.policy = policy;
    this.limits = new QueueLimits(policy);
    this.pending = new PendingRequests(policy);
    Completions completions =
        Completions.create(false, new StatisticsRecorder(Math.max(1, policy.maxBatchSize())));
    this.former = new BatchFormer(policy, pending, completions, limits);
  }

  /** Queues a one-row request of two INT32 columns at level 1. */
  InferenceRequest add(String id, long arrivalNanos) {
    return add(id, 1, arrivalNanos, InferenceRequest.builder());
  }

  /**
   * Queues a request of {@code rows} x 2 INT32 at its builder's priority level (the default if it
   * names none), as the batcher does after reading it from the ring.
   */
  InferenceRequest add(String id, int rows, long arrivalNanos, InferenceRequest.Builder builder) {
    return add(builder.id(id).arrivalNanos(arrivalNanos).inputs(List.of(int32(rows, 2))));
  }

  /** Queues {@code builder}'s request (its inputs already set), callback and all. */
  InferenceRequest add(InferenceRequest.Builder builder) {
    Recorder recorder = new Recorder();
    InferenceRequest request = builder.callback(recorder).build();
    recorder.id = request.id();
    int level = policy.levelFor(request.priorityLevel());
    if (!limits.tryAcquire(level)) {
      throw new AssertionError("level " + level + " is full");
    }
    pending.add(level, request, sequence++);
    return request;
  }

  /** Forms at {@code now} and takes the batch; the ids in row order, or empty if it waits. */
  List<String> formAt(long now) {
    return formAt(now, false);
  }

  List<String> formAt(long now, boolean flush) {
    int count = former.form(now, flush);
    List<String> ids = new ArrayList<>();
    if (count == 0) {
      return ids;
    }
    ScheduledBatch batch = former.take();
    for (InferenceRequest request : batch.requests) {
      ids.add(request.id());
    }
    if (ids.size() != count) {
      throw new AssertionError("form said " + count + " requests, took " + ids);
    }
    return ids;
  }

  /** An INT32 tensor {@code IN} of shape [rows, cols]. */
  static Tensor int32(int rows, int cols) {
    return Tensor.of(
        "IN", DataType.INT32, new long[] {rows, cols}, ByteBuffer.allocate(rows * cols * 4));
  }

  private final class Recorder implements InferenceCallback {
    private String id;

    @Override
    public void onSuccess(List<Tensor> outputs) {
      throw new AssertionError("nothing runs here");
    }

    @Override
    public void onFailure(InferenceException failure) {
      failed.put(id, failure.reason());
    }
  }
}
