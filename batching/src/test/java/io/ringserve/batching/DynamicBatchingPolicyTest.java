package io.ringserve.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.wire.DataType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The batch formation rules of Triton's dynamic batcher, one test per rule. */
class DynamicBatchingPolicyTest {
  private final GatedEchoRunner runner = new GatedEchoRunner();
  private ModelScheduler scheduler;

  @AfterEach
  void stop() {
    runner.open();
    if (scheduler != null) {
      scheduler.shutdown(Duration.ofSeconds(5));
    }
  }

  /** Starts a one-instance scheduler and keeps its instance busy with a gated request. */
  private Answer startBusy(BatchPolicy policy) throws InterruptedException {
    scheduler = ModelSchedulers.start("policy", policy, List.of(runner));
    Answer blocker = new Answer();
    scheduler.submit(Requests.one("gate", blocker).build());
    runner.awaitGated();
    assertEquals(List.of("gate"), GatedEchoRunner.ids(runner.nextBatch()));
    return blocker;
  }

  private List<Answer> submitRows(int... rows) {
    List<Answer> answers = new ArrayList<>();
    for (int i = 0; i < rows.length; i++) {
      Answer answer = new Answer();
      scheduler.submit(Requests.rows("r" + i, i, rows[i], 2, answer).build());
      answers.add(answer);
    }
    return answers;
  }

  private static void awaitAll(List<Answer> answers) throws Exception {
    for (Answer answer : answers) {
      answer.outputs();
    }
  }

  @Test
  void shouldCountEachRequestsBatchDimensionTowardMaxBatchSize() throws Exception {
    startBusy(BatchPolicy.builder().maxBatchSize(8).dynamicBatching(true).build());
    List<Answer> answers = submitRows(3, 3, 3);

    runner.open();
    awaitAll(answers);

    Batch first = runner.nextBatch();
    assertEquals(List.of("r0", "r1"), GatedEchoRunner.ids(first));
    assertEquals(6, first.size());
    assertEquals(6, first.inputs().get(0).dim(0));
    Batch second = runner.nextBatch();
    assertEquals(List.of("r2"), GatedEchoRunner.ids(second));
    assertEquals(3, second.size());
  }

  @Test
  void shouldCloseTheBatchAtAShapeMismatchAndStartTheNextWithIt() throws Exception {
    startBusy(BatchPolicy.builder().maxBatchSize(8).dynamicBatching(true).build());
    List<Answer> answers = new ArrayList<>();
    int[] cols = {2, 2, 3, 2};
    for (int i = 0; i < cols.length; i++) {
      Answer answer = new Answer();
      scheduler.submit(Requests.rows("r" + i, i, 1, cols[i], answer).build());
      answers.add(answer);
    }

    runner.open();
    awaitAll(answers);

    assertEquals(List.of("r0", "r1"), GatedEchoRunner.ids(runner.nextBatch()));
    assertEquals(List.of("r2"), GatedEchoRunner.ids(runner.nextBatch()));
    assertEquals(List.of("r3"), GatedEchoRunner.ids(runner.nextBatch()));
  }

  @Test
  void shouldNotBatchRequestsWhoseDatatypesDiffer() throws Exception {
    startBusy(BatchPolicy.builder().maxBatchSize(8).dynamicBatching(true).build());
    Answer ints = new Answer();
    scheduler.submit(Requests.one("ints", ints).build());
    Answer floats = new Answer();
    Tensor asFloats = Tensors.encoded("IN", 1, 1, 2);
    scheduler.submit(
        InferenceRequest.builder()
            .id("floats")
            .inputs(List.of(Tensor.of("IN", DataType.FP32, new long[] {1, 2}, asFloats.data())))
            .callback(floats)
            .build());

    runner.open();
    ints.outputs();
    floats.outputs();

    assertEquals(List.of("ints"), GatedEchoRunner.ids(runner.nextBatch()));
    assertEquals(List.of("floats"), GatedEchoRunner.ids(runner.nextBatch()));
  }

  @Test
  void shouldDispatchTheLargestReachablePreferredBatchSize() throws Exception {
    startBusy(
        BatchPolicy.builder()
            .maxBatchSize(8)
            .dynamicBatching(true)
            .preferredBatchSizes(2, 4)
            .build());
    List<Answer> answers = submitRows(1, 1, 1, 1, 1, 1, 1);

    runner.open();
    awaitAll(answers);

    assertEquals(4, runner.nextBatch().size());
    assertEquals(2, runner.nextBatch().size());
    assertEquals(1, runner.nextBatch().size());
  }

  @Test
  void shouldDispatchAtOnceWhenTheDelayIsZero() throws Exception {
    scheduler =
        ModelSchedulers.start(
            "policy",
            BatchPolicy.builder().maxBatchSize(8).dynamicBatching(true).build(),
            List.of(runner));
    Answer alone = new Answer();

    scheduler.submit(Requests.one("alone", alone).build());

    alone.outputs();
    assertEquals(1, runner.nextBatch().size());
  }

  @Test
  void shouldWaitForBatchMatesOnlyUntilTheOldestRequestIsMaxQueueDelayOld() throws Exception {
    long delayMicros = 50_000;
    scheduler =
        ModelSchedulers.start(
            "policy",
            BatchPolicy.builder()
                .maxBatchSize(8)
                .dynamicBatching(true)
                .maxQueueDelayMicros(delayMicros)
                .build(),
            List.of(runner));
    Answer first = new Answer();
    Answer second = new Answer();
    long start = System.nanoTime();

    scheduler.submit(Requests.one("first", first).build());
    scheduler.submit(Requests.one("second", second).build());
    first.outputs();
    long waited = System.nanoTime() - start;

    second.outputs();
    Batch batch = runner.nextBatch();
    assertEquals(List.of("first", "second"), GatedEchoRunner.ids(batch));
    assertTrue(
        waited >= TimeUnit.MICROSECONDS.toNanos(delayMicros),
        "dispatched after " + waited + " ns, before the delay");
    assertTrue(waited < TimeUnit.SECONDS.toNanos(5), "waited " + waited + " ns");
  }

  @Test
  void shouldCountTheDelayFromTheOldestRequestsArrival() throws Exception {
    scheduler =
        ModelSchedulers.start(
            "policy",
            BatchPolicy.builder()
                .maxBatchSize(8)
                .dynamicBatching(true)
                .maxQueueDelayMicros(TimeUnit.SECONDS.toMicros(60))
                .build(),
            List.of(runner));
    Answer old = new Answer();

    // Arrived 61 s ago: its whole delay is spent, so it must not wait another minute.
    scheduler.submit(
        Requests.one("old", old)
            .arrivalNanos(System.nanoTime() - TimeUnit.SECONDS.toNanos(61))
            .build());

    old.outputs();
  }

  @Test
  void shouldDispatchAFullBatchWithoutWaitingForTheDelay() throws Exception {
    scheduler =
        ModelSchedulers.start(
            "policy",
            BatchPolicy.builder()
                .maxBatchSize(2)
                .dynamicBatching(true)
                .maxQueueDelayMicros(TimeUnit.SECONDS.toMicros(60))
                .build(),
            List.of(runner));
    List<Answer> answers = submitRows(1, 1);

    awaitAll(answers);

    assertEquals(2, runner.nextBatch().size());
  }

  @Test
  void shouldGrowBatchesWhileAllInstancesAreBusy() throws Exception {
    startBusy(BatchPolicy.builder().maxBatchSize(16).dynamicBatching(true).build());
    List<Answer> answers = submitRows(1, 2, 1, 1, 3);

    runner.open();
    awaitAll(answers);

    Batch grown = runner.nextBatch();
    assertEquals(List.of("r0", "r1", "r2", "r3", "r4"), GatedEchoRunner.ids(grown));
    assertEquals(8, grown.size());
  }

  @Test
  void shouldStillFillTheBatchWhenRequestsAheadOfItWereCancelled() throws Exception {
    startBusy(BatchPolicy.builder().maxBatchSize(4).dynamicBatching(true).build());
    List<Answer> cancelled = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Answer answer = new Answer();
      scheduler.submit(Requests.one("gone" + i, answer).cancelled(() -> true).build());
      cancelled.add(answer);
    }
    List<Answer> answers = submitRows(1, 1, 1, 1, 1, 1);

    runner.open();
    awaitAll(answers);

    for (Answer answer : cancelled) {
      assertEquals(InferenceException.Reason.CANCELLED, answer.failure().reason());
    }
    assertEquals(List.of("r0", "r1", "r2", "r3"), GatedEchoRunner.ids(runner.nextBatch()));
    assertEquals(List.of("r4", "r5"), GatedEchoRunner.ids(runner.nextBatch()));
  }

  @Test
  void shouldRunEachRequestAloneWhenDynamicBatchingIsOff() throws Exception {
    startBusy(BatchPolicy.builder().maxBatchSize(8).dynamicBatching(false).build());
    List<Answer> answers = submitRows(2, 3);

    runner.open();
    awaitAll(answers);

    Batch first = runner.nextBatch();
    assertEquals(List.of("r0"), GatedEchoRunner.ids(first));
    assertEquals(2, first.size());
    Batch second = runner.nextBatch();
    assertEquals(List.of("r1"), GatedEchoRunner.ids(second));
    assertEquals(3, second.size());
  }

  @Test
  void shouldRunEachRequestAloneWithBatchSizeOneWhenTheModelDoesNotBatch() throws Exception {
    startBusy(BatchPolicy.unbatched());
    List<Answer> answers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Answer answer = new Answer();
      scheduler.submit(
          InferenceRequest.builder()
              .id("r" + i)
              .inputs(List.of(Tensors.strings("TEXT", "a", "b", "c")))
              .callback(answer)
              .build());
      answers.add(answer);
    }

    runner.open();

    for (Answer answer : answers) {
      List<Tensor> outputs = answer.outputs();
      assertEquals(List.of("a", "b", "c"), Tensors.stringsOf(outputs.get(0)));
    }
    for (int i = 0; i < 2; i++) {
      Batch batch = runner.nextBatch();
      assertEquals(1, batch.size());
      assertEquals(1, batch.requests().size());
    }
  }

  @Test
  void shouldPassASingleRequestsInputsThroughWithoutCopying() throws Exception {
    scheduler =
        ModelSchedulers.start(
            "policy",
            BatchPolicy.builder().maxBatchSize(8).dynamicBatching(true).build(),
            List.of(runner));
    Answer answer = new Answer();
    InferenceRequest request = Requests.rows("only", 7, 2, 3, answer).build();

    scheduler.submit(request);
    answer.outputs();

    assertSame(request.inputs().get(0), runner.nextBatch().inputs().get(0));
  }
}
