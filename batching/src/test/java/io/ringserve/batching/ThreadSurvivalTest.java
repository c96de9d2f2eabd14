package io.ringserve.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ringserve.batching.InferenceException.Reason;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Nothing a caller supplies kills a scheduler's threads, and a scheduler says when it can no longer
 * be trusted, for readiness to report.
 */
class ThreadSurvivalTest {
  private final GatedEchoRunner runner = new GatedEchoRunner();
  private ModelScheduler scheduler;

  @AfterEach
  void stop() {
    runner.open();
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }

  @Test
  void shouldAnswerARequestWhoseCancellationCheckThrowsAnErrorAndKeepServing() throws Exception {
    runner.open();
    scheduler =
        ModelSchedulers.start(
            "m",
            BatchPolicy.builder().maxBatchSize(4).dynamicBatching(true).build(),
            List.of(runner));
    Answer broken = new Answer();
    scheduler.submit(
        Requests.one("broken", broken)
            .cancelled(
                () -> {
                  throw new StackOverflowError("a caller's check that fails");
                })
            .build());
    assertEquals(Reason.CANCELLED, broken.failure().reason());

    Answer next = new Answer();
    scheduler.submit(Requests.one("next", next).build());
    assertNotNull(next.outputs());
    assertNull(scheduler.failure(), "healthy: " + scheduler.failure());
  }

  @Test
  void shouldReportNoFailureOnceStoppedOnPurpose() {
    scheduler = ModelSchedulers.start("m", BatchPolicy.builder().build(), List.of(runner));
    runner.open();
    scheduler.shutdownNow();
    assertNull(scheduler.failure());
  }
}
