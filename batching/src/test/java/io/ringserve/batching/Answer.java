package io.ringserve.batching;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A callback that records the one answer a request gets, and the thread it came on. */
class Answer implements InferenceCallback {
  static final long TIMEOUT_SECONDS = 10;

  private final CompletableFuture<List<Tensor>> result = new CompletableFuture<>();
  private volatile Thread thread;
  private volatile int calls;

  @Override
  public void onSuccess(List<Tensor> outputs) {
    thread = Thread.currentThread();
    calls++;
    result.complete(outputs);
  }

  @Override
  public void onFailure(InferenceException failure) {
    thread = Thread.currentThread();
    calls++;
    result.completeExceptionally(failure);
  }

  boolean isDone() {
    return result.isDone();
  }

  int calls() {
    return calls;
  }

  Thread thread() {
    return thread;
  }

  CompletableFuture<List<Tensor>> future() {
    return result;
  }

  /** Waits for a successful answer. */
  List<Tensor> outputs() throws Exception {
    try {
      return result.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("expected success, got " + e.getCause(), e.getCause());
    }
  }

  /** Waits for a failed answer and returns it. */
  InferenceException failure() throws InterruptedException, TimeoutException {
    try {
      List<Tensor> outputs = result.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got outputs " + outputs);
    } catch (ExecutionException e) {
      return (InferenceException) e.getCause();
    }
  }
}
