package io.ringserve.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link BatchPolicy#padBatchesTo()}: small batches after a large one run padded with zero rows.
 */
class BatchPaddingTest {
  private ModelScheduler scheduler;

  @AfterEach
  void stop() {
    if (scheduler != null) {
      scheduler.shutdown(Duration.ofSeconds(5));
    }
  }

  private static BatchPolicy padTo(int rows) {
    return BatchPolicy.builder().maxBatchSize(16).dynamicBatching(true).padBatchesTo(rows).build();
  }

  /** Echoes every input and remembers each batch it ran. Used by one worker thread. */
  private static final class RecordingEcho implements ModelRunner {
    final List<Batch> seen = new ArrayList<>();

    @Override
    public List<Tensor> run(Batch batch) {
      seen.add(batch);
      List<Tensor> outputs = new ArrayList<>();
      for (Tensor input : batch.inputs()) {
        outputs.add(input.renamed("OUT_" + input.name()));
      }
      return outputs;
    }
  }

  /** Submits one request and waits for its answer, so that each request is a batch of its own. */
  private List<Tensor> infer(Tensor input) throws Exception {
    Answer answer = new Answer();
    scheduler.submit(InferenceRequest.builder().inputs(List.of(input)).callback(answer).build());
    return answer.outputs();
  }

  @Test
  void shouldPadSmallBatchesAndAnswerOnlyTheRealRows() throws Exception {
    RecordingEcho runner = new RecordingEcho();
    scheduler = ModelSchedulers.start("pad", padTo(4), List.of(runner));

    infer(Tensors.encoded("IN", 1, 6, 3)); // as large as the padding size or more: as it is
    List<Tensor> small = infer(Tensors.encoded("IN", 2, 1, 3));
    List<Tensor> next = infer(Tensors.encoded("IN", 3, 2, 3));

    assertEquals(List.of(6L, 4L, 4L), runner.seen.stream().map(Batch::size).toList());
    Tensor padded = runner.seen.get(1).input("IN");
    assertEquals(4, padded.dim(0));
    assertTrue(Tensors.isEncoded(padded.rows(0, 1), 2, 1, 3), padded.toString());
    ByteBuffer zeros = padded.rows(1, 3).data();
    while (zeros.hasRemaining()) {
      assertEquals(0, zeros.get(), "padding rows must be zeros");
    }
    assertTrue(Tensors.isEncoded(small.get(0), 2, 1, 3), small.get(0).toString());
    assertTrue(Tensors.isEncoded(next.get(0), 3, 2, 3), next.get(0).toString());
    ModelStatistics stats = scheduler.statistics();
    assertEquals(9, stats.inferenceCount(), "statistics count real rows, not padding");
    assertEquals(3, stats.executionCount());
  }

  @Test
  void shouldPadBytesInputsWithEmptyElements() throws Exception {
    RecordingEcho runner = new RecordingEcho();
    scheduler = ModelSchedulers.start("pad", padTo(3), List.of(runner));

    infer(Tensors.strings("TEXT", "a", "bb", "ccc"));
    List<Tensor> small = infer(Tensors.strings("TEXT", "dddd"));

    assertEquals(List.of("dddd", "", ""), Tensors.stringsOf(runner.seen.get(1).input("TEXT")));
    assertEquals(List.of("dddd"), Tensors.stringsOf(small.get(0)));
    assertEquals(1, small.get(0).dim(0));
  }

  @Test
  void shouldRefusePaddingWithoutDynamicBatchingOrAboveTheMaxBatchSize() {
    assertThrows(
        IllegalArgumentException.class,
        () -> BatchPolicy.builder().maxBatchSize(8).padBatchesTo(4).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> BatchPolicy.builder().maxBatchSize(8).dynamicBatching(true).padBatchesTo(9).build());
  }
}
