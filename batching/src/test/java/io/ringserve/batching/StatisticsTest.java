package io.ringserve.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.batching.ModelStatistics.BatchStatistics;
import io.ringserve.batching.QueuePolicy.TimeoutAction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The statistics have Triton's meanings. */
class StatisticsTest {
  private final GatedEchoRunner runner = new GatedEchoRunner();
  private ModelScheduler scheduler;

  @AfterEach
  void stop() {
    runner.open();
    if (scheduler != null) {
      scheduler.shutdown(Duration.ofSeconds(5));
    }
  }

  @Test
  void shouldCountRowsAsInferencesBatchesAsExecutionsAndRequestsAsSuccesses() throws Exception {
    scheduler =
        ModelSchedulers.start(
            "stats",
            BatchPolicy.builder()
                .maxBatchSize(8)
                .dynamicBatching(true)
                .defaultQueuePolicy(new QueuePolicy(3, 0, TimeoutAction.REJECT, false))
                .build(),
            List.of(runner));
    long before = System.currentTimeMillis();
    Answer gate = new Answer();
    scheduler.submit(Requests.rows("gate", 0, 2, 2, gate).build());
    runner.awaitGated();
    List<Answer> answers = new ArrayList<>();
    int[] rows = {1, 2, 3};
    for (int i = 0; i < rows.length; i++) {
      Answer answer = new Answer();
      scheduler.submit(Requests.rows("r" + i, i, rows[i], 2, answer).build());
      answers.add(answer);
    }
    Answer refused = new Answer();
    scheduler.submit(Requests.one("refused", refused).build());
    refused.failure();

    runner.open();
    gate.outputs();
    for (Answer answer : answers) {
      answer.outputs();
    }
    scheduler.shutdown(Duration.ofSeconds(5)); // every answer, and its statistics, is in

    ModelStatistics stats = scheduler.statistics();
    assertEquals(8, stats.inferenceCount());
    assertEquals(2, stats.executionCount());
    assertEquals(4, stats.success().count());
    assertEquals(1, stats.fail().count());
    assertEquals(4, stats.queue().count());
    assertEquals(4, stats.computeInput().count());
    assertEquals(4, stats.computeInfer().count());
    assertEquals(4, stats.computeOutput().count());
    assertTrue(stats.computeInfer().nanos() > 0);
    assertTrue(stats.success().nanos() >= stats.queue().nanos());
    assertTrue(stats.lastInferenceMillis() >= before);
    assertEquals(List.of(2L, 6L), List.copyOf(stats.batchStats().keySet()));
    BatchStatistics six = stats.batchStats().get(6L);
    assertEquals(1, six.computeInfer().count());
    assertEquals(0, scheduler.pendingRequests());
  }

  @Test
  void shouldCountAnInferenceBeforeItsCallerIsAnswered() throws Exception {
    scheduler =
        ModelSchedulers.start(
            "stats",
            BatchPolicy.builder().maxBatchSize(8).dynamicBatching(true).build(),
            List.of(runner));
    long[] seenInCallback = new long[2];
    Answer answer =
        new Answer() {
          @Override
          public void onSuccess(List<Tensor> outputs) {
            ModelStatistics stats = scheduler.statistics();
            seenInCallback[0] = stats.inferenceCount();
            seenInCallback[1] = stats.executionCount();
            super.onSuccess(outputs);
          }
        };

    scheduler.submit(Requests.rows("r", 1, 3, 2, answer).build());
    answer.outputs();

    assertEquals(3, seenInCallback[0], "a caller reading the statistics finds its own rows");
    assertEquals(1, seenInCallback[1]);
  }
}
