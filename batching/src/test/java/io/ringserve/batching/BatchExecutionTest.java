package io.ringserve.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.batching.InferenceException.Reason;
import io.ringserve.wire.DataType;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Concatenation, the runner call, splitting, fan-out and failure isolation in the workers. */
class BatchExecutionTest {
  private ModelScheduler scheduler;

  @AfterEach
  void stop() {
    if (scheduler != null) {
      scheduler.shutdown(Duration.ofSeconds(5));
    }
  }

  private static BatchPolicy batching(int maxBatchSize) {
    return BatchPolicy.builder().maxBatchSize(maxBatchSize).dynamicBatching(true).build();
  }

  @Test
  void shouldGiveEachRequestExactlyItsOwnRowsOfFixedSizeOutputs() throws Exception {
    HoldFirstRunner runner = new HoldFirstRunner(HoldFirstRunner::echo);
    scheduler = ModelSchedulers.start("exec", batching(16), List.of(runner));
    scheduler.submit(Requests.one("first", new Answer()).build());
    runner.awaitEntered();
    int[] rows = {1, 3, 2, 4};
    List<Answer> answers = new ArrayList<>();
    for (int i = 0; i < rows.length; i++) {
      Answer answer = new Answer();
      scheduler.submit(Requests.rows("r" + i, i + 1, rows[i], 3, answer).build());
      answers.add(answer);
    }

    runner.release.countDown();

    for (int i = 0; i < rows.length; i++) {
      List<Tensor> outputs = answers.get(i).outputs();
      assertEquals(1, outputs.size());
      assertEquals("OUT_IN", outputs.get(0).name());
      assertTrue(Tensors.isEncoded(outputs.get(0), i + 1, rows[i], 3), outputs.get(0).toString());
    }
  }

  @Test
  void shouldConcatenateAndSplitBytesTensorsByTheirLengthPrefixes() throws Exception {
    List<Batch> seen = new ArrayList<>();
    HoldFirstRunner runner =
        new HoldFirstRunner(
            batch -> {
              seen.add(batch);
              return HoldFirstRunner.echo(batch);
            });
    scheduler = ModelSchedulers.start("exec", batching(16), List.of(runner));
    scheduler.submit(
        InferenceRequest.builder()
            .inputs(List.of(Tensors.strings("TEXT", "x")))
            .callback(new Answer())
            .build());
    runner.awaitEntered();
    String[][] strings = {{"a", "bb"}, {"", "dddd", "é"}, {"ffffff"}};
    List<Answer> answers = new ArrayList<>();
    for (String[] texts : strings) {
      Answer answer = new Answer();
      scheduler.submit(
          InferenceRequest.builder()
              .inputs(List.of(Tensors.strings("TEXT", texts)))
              .callback(answer)
              .build());
      answers.add(answer);
    }

    runner.release.countDown();

    for (int i = 0; i < strings.length; i++) {
      Tensor output = answers.get(i).outputs().get(0);
      assertEquals(List.of(strings[i]), Tensors.stringsOf(output));
      assertEquals(strings[i].length, output.dim(0));
    }
    Batch joined = seen.get(seen.size() - 1);
    assertEquals(6, joined.size());
    assertEquals(
        List.of("a", "bb", "", "dddd", "é", "ffffff"), Tensors.stringsOf(joined.input("TEXT")));
  }

  @Test
  void shouldJoinInputsByNameWhenRequestsListThemInDifferentOrders() throws Exception {
    HoldFirstRunner runner = new HoldFirstRunner(HoldFirstRunner::echo);
    scheduler = ModelSchedulers.start("exec", batching(8), List.of(runner));
    scheduler.submit(Requests.one("first", new Answer()).build());
    runner.awaitEntered();
    Answer ab = new Answer();
    Answer ba = new Answer();
    scheduler.submit(
        InferenceRequest.builder()
            .inputs(List.of(Tensors.encoded("A", 1, 1, 2), Tensors.encoded("B", 2, 1, 2)))
            .callback(ab)
            .build());
    scheduler.submit(
        InferenceRequest.builder()
            .inputs(List.of(Tensors.encoded("B", 4, 1, 2), Tensors.encoded("A", 3, 1, 2)))
            .callback(ba)
            .build());

    runner.release.countDown();

    List<Tensor> second = ba.outputs();
    assertEquals("OUT_A", second.get(0).name());
    assertTrue(Tensors.isEncoded(second.get(0), 3, 1, 2));
    assertTrue(Tensors.isEncoded(second.get(1), 4, 1, 2));
    assertTrue(Tensors.isEncoded(ab.outputs().get(1), 2, 1, 2));
  }

  @Test
  void shouldGiveEachRequestOnlyTheOutputsItAskedForInTheRunnersOrder() throws Exception {
    List<Batch> seen = new ArrayList<>();
    HoldFirstRunner runner =
        new HoldFirstRunner(
            batch -> {
              seen.add(batch);
              Tensor in = batch.input("IN");
              return List.of(in.renamed("Z"), in.renamed("Y"), in.renamed("X"));
            });
    scheduler = ModelSchedulers.start("exec", batching(8), List.of(runner));
    scheduler.submit(Requests.one("first", new Answer()).build());
    runner.awaitEntered();
    Answer onlyX = new Answer();
    Answer xAndZ = new Answer();
    Answer all = new Answer();
    scheduler.submit(Requests.rows("x", 1, 1, 2, onlyX).requestedOutputs(List.of("X")).build());
    scheduler.submit(
        Requests.rows("xz", 2, 1, 2, xAndZ).requestedOutputs(List.of("X", "Z")).build());
    scheduler.submit(Requests.rows("all", 3, 1, 2, all).build());

    runner.release.countDown();

    assertEquals(List.of("X"), names(onlyX.outputs()));
    assertEquals(List.of("Z", "X"), names(xAndZ.outputs()));
    assertEquals(List.of("Z", "Y", "X"), names(all.outputs()));
    assertTrue(Tensors.isEncoded(xAndZ.outputs().get(1), 2, 1, 2));
    assertTrue(seen.get(seen.size() - 1).requestedOutputs().isEmpty(), "one request wants all");
  }

  @Test
  void shouldAskTheRunnerForTheUnionOfRequestedOutputs() throws Exception {
    List<Batch> seen = new ArrayList<>();
    HoldFirstRunner runner =
        new HoldFirstRunner(
            batch -> {
              seen.add(batch);
              return HoldFirstRunner.echo(batch);
            });
    scheduler = ModelSchedulers.start("exec", batching(8), List.of(runner));
    scheduler.submit(Requests.one("first", new Answer()).build());
    runner.awaitEntered();
    Answer a = new Answer();
    Answer b = new Answer();
    scheduler.submit(Requests.one("a", a).requestedOutputs(List.of("OUT_IN")).build());
    scheduler.submit(Requests.one("b", b).requestedOutputs(List.of("OTHER")).build());

    runner.release.countDown();
    a.outputs();
    b.outputs();

    assertEquals(java.util.Set.of("OUT_IN", "OTHER"), seen.get(seen.size() - 1).requestedOutputs());
  }

  @Test
  void shouldFailOnlyTheFailingBatchWithTheRunnersMessageAndKeepServing() throws Exception {
    ModelRunner runner =
        batch -> {
          if (batch.requests().get(0).id().equals("boom")) {
            throw new IllegalStateException("kernel exploded");
          }
          return HoldFirstRunner.echo(batch);
        };
    scheduler = ModelSchedulers.start("exec", batching(1), List.of(runner));
    Answer boom = new Answer();
    Answer fine = new Answer();

    scheduler.submit(Requests.one("boom", boom).build());
    scheduler.submit(Requests.one("fine", fine).build());

    InferenceException failure = boom.failure();
    assertEquals(Reason.MODEL_ERROR, failure.reason());
    assertEquals("kernel exploded", failure.getMessage());
    fine.outputs();
    Answer after = new Answer();
    scheduler.submit(Requests.one("after", after).build());
    after.outputs();
  }

  @Test
  void shouldPassARunnersInferenceExceptionThroughAsItIs() throws Exception {
    InferenceException rejected =
        new InferenceException(Reason.INVALID_INPUT, "input 'IN' must be positive");
    scheduler =
        ModelSchedulers.start(
            "exec",
            batching(4),
            List.of(
                batch -> {
                  throw rejected;
                }));
    Answer answer = new Answer();

    scheduler.submit(Requests.one("r", answer).build());

    assertSame(rejected, answer.failure());
  }

  @Test
  void shouldTurnAnErrorThrownByTheRunnerIntoAModelError() throws Exception {
    scheduler =
        ModelSchedulers.start(
            "exec",
            batching(4),
            List.of(
                batch -> {
                  throw new OutOfMemoryError("Java heap space");
                }));
    Answer answer = new Answer();

    scheduler.submit(Requests.one("r", answer).build());

    InferenceException failure = answer.failure();
    assertEquals(Reason.MODEL_ERROR, failure.reason());
    assertEquals("Java heap space", failure.getMessage());
  }

  @Test
  void shouldFailTheBatchWithAModelErrorNamingAnOutputWithTheWrongBatchDimension()
      throws Exception {
    scheduler =
        ModelSchedulers.start(
            "exec",
            batching(4),
            List.of(
                batch ->
                    List.of(
                        batch.input("IN").renamed("GOOD"),
                        Tensor.of(
                            "SHORT", DataType.INT32, new long[] {1}, ByteBuffer.allocate(4)))));
    Answer answer = new Answer();

    scheduler.submit(Requests.rows("r", 1, 2, 2, answer).build());

    InferenceException failure = answer.failure();
    assertEquals(Reason.MODEL_ERROR, failure.reason());
    assertTrue(failure.getMessage().contains("'SHORT'"), failure.getMessage());
  }

  @Test
  void shouldGiveTheWholeOutputsToTheRequestOfAModelThatDoesNotBatch() throws Exception {
    Tensor scalar = Tensor.of("SCORE", DataType.INT32, new long[] {}, ByteBuffer.allocate(4));
    scheduler =
        ModelSchedulers.start("exec", BatchPolicy.unbatched(), List.of(batch -> List.of(scalar)));
    Answer answer = new Answer();

    scheduler.submit(Requests.rows("r", 1, 3, 2, answer).build());

    assertSame(scalar, answer.outputs().get(0));
  }

  @Test
  void shouldKeepServingWhenACallbackThrows() throws Exception {
    scheduler = ModelSchedulers.start("exec", batching(1), List.of(HoldFirstRunner::echo));
    scheduler.submit(
        Requests.one(
                "rude",
                new Answer() {
                  @Override
                  public void onSuccess(List<Tensor> outputs) {
                    throw new IllegalStateException("callback bug");
                  }
                })
            .build());
    Answer next = new Answer();

    scheduler.submit(Requests.one("next", next).build());

    next.outputs();
  }

  private static List<String> names(List<Tensor> tensors) {
    List<String> names = new ArrayList<>();
    for (Tensor tensor : tensors) {
      names.add(tensor.name());
    }
    return names;
  }
}
