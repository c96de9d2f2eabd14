package io.ringserve.batching;

import io.ringserve.batching.InferenceException.Reason;
import java.time.Duration;
import java.util.List;

/**
 * A scheduler whose accepted requests' input bytes are bounded by a {@link TensorBytesBudget}: a
 * request is admitted only if the budget has room for its inputs, and gives them back when it is
 * answered, whichever way. A request refused for want of room is answered at once with {@link
 * Reason#QUEUE_FULL}, as a full queue is.
 *
 * <p>Thread-safe as the scheduler it wraps. Cost per admitted request: the budget's CASes, one
 * request copy and one callback object, to learn when it is answered.
 */
final class BudgetedScheduler implements ModelScheduler {
  private final ModelScheduler scheduler;
  private final TensorBytesBudget budget;

  BudgetedScheduler(ModelScheduler scheduler, TensorBytesBudget budget) {
    this.scheduler = scheduler;
    this.budget = budget;
  }

  @Override
  public void submit(InferenceRequest request) {
    long bytes = TensorBytesBudget.bytesOf(request);
    String full = budget.tryAcquire(bytes);
    if (full != null) {
      request.fail(new InferenceException(Reason.QUEUE_FULL, full));
      return;
    }
    InferenceRequest releasing;
    try {
      releasing = request.withCallback(new Releasing(request, bytes));
    } catch (RuntimeException | Error e) {
      budget.release(bytes);
      throw e;
    }
    scheduler.submit(releasing);
  }

  @Override
  public InferenceException fullQueueRefusal() {
    return scheduler.fullQueueRefusal();
  }

  @Override
  public void countRefused() {
    scheduler.countRefused();
  }

  @Override
  public BatchPolicy policy() {
    return scheduler.policy();
  }

  @Override
  public ModelStatistics statistics() {
    return scheduler.statistics();
  }

  @Override
  public int pendingRequests() {
    return scheduler.pendingRequests();
  }

  @Override
  public void shutdown(Duration grace) {
    scheduler.shutdown(grace);
  }

  // The wrapped scheduler's health and threads are this one's: readiness reads failure, and the
  // model's native memory is freed only once isTerminated says no runner runs any more.

  @Override
  public String failure() {
    return scheduler.failure();
  }

  @Override
  public boolean isTerminated() {
    return scheduler.isTerminated();
  }

  /** Gives the request's bytes back, then answers the original request. Runs once. */
  private final class Releasing implements InferenceCallback {
    private final InferenceRequest original;
    private final long bytes;

    Releasing(InferenceRequest original, long bytes) {
      this.original = original;
      this.bytes = bytes;
    }

    @Override
    public void onSuccess(List<Tensor> outputs) {
      budget.release(bytes);
      original.succeed(outputs);
    }

    @Override
    public void onFailure(InferenceException failure) {
      budget.release(bytes);
      original.fail(failure);
    }
  }
}
