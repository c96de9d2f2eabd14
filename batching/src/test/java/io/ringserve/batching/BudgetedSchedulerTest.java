package io.ringserve.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A queued-bytes budget wraps every model the server starts, so the wrapper must report what the
 * scheduler inside says about its health and its threads: readiness and the freeing of a model's
 * native memory depend on it.
 */
class BudgetedSchedulerTest {
  /** A scheduler inside the budget whose health and state the test sets. */
  private static final class Inner implements ModelScheduler {
    volatile String failure;
    volatile boolean terminated;

    @Override
    public void submit(InferenceRequest request) {}

    @Override
    public BatchPolicy policy() {
      return BatchPolicy.builder().build();
    }

    @Override
    public ModelStatistics statistics() {
      throw new UnsupportedOperationException();
    }

    @Override
    public int pendingRequests() {
      return 0;
    }

    @Override
    public String failure() {
      return failure;
    }

    @Override
    public void shutdown(Duration grace) {}

    @Override
    public boolean isTerminated() {
      return terminated;
    }
  }

  private final Inner inner = new Inner();
  private final ModelScheduler budgeted =
      new BudgetedScheduler(inner, new TensorBytesBudget("--limit", 1 << 20, null));

  @Test
  void shouldReportTheInnerSchedulersFailureForReadiness() {
    assertNull(budgeted.failure());

    inner.failure = "worker thread 'm-worker-0' ended: java.lang.OutOfMemoryError";

    assertEquals(inner.failure, budgeted.failure());
  }

  @Test
  void shouldBeTerminatedOnlyWhenTheInnerSchedulerIs() {
    assertFalse(budgeted.isTerminated(), "a runner may still run inside");

    inner.terminated = true;

    assertTrue(budgeted.isTerminated());
  }
}
