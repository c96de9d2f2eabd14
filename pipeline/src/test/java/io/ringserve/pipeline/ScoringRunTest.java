package io.ringserve.pipeline;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringserve.batching.Tensor;
import io.ringserve.wire.DataType;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ScoringRunTest {
  private static final ModelSignature SIGNATURE =
      new ModelSignature(
          "m",
          "1",
          8,
          List.of(new ModelSignature.Spec("INPUT0", DataType.FP32, new long[] {2})),
          List.of(new ModelSignature.Spec("OUTPUT0", DataType.FP32, new long[] {2})));

  @Test
  void shouldStopRatherThanHangWhenTheSinkFailsWithAnUncheckedException() {
    String failure =
        assertTimeoutPreemptively(
            Duration.ofSeconds(20),
            () ->
                new ScoringRun(
                        new NoScorer(),
                        FieldMapping.create(SIGNATURE, List.of(), List.of(), List.of()),
                        new UnreadableRecords(10_000),
                        new FailingSink(),
                        new OutputRecords(List.of()),
                        new ScoringRun.Options(1, 1, -1, Duration.ofHours(1), null, null))
                    .run());

    assertTrue(failure != null && failure.contains("sink is broken"), String.valueOf(failure));
  }

  /** Records that each fail to read, so that every batch is written without inference. */
  private static final class UnreadableRecords implements RecordSource {
    private final int count;
    private int read;

    UnreadableRecords(int count) {
      this.count = count;
    }

    @Override
    public SourceRecord next() {
      return read < count ? SourceRecord.unreadable("line " + ++read, "not JSON") : null;
    }

    @Override
    public List<String> columns() {
      return List.of();
    }

    @Override
    public long bytesRead() {
      return read;
    }

    @Override
    public long totalBytes() {
      return count;
    }

    @Override
    public String describe() {
      return "test records";
    }

    @Override
    public void close() {}
  }

  private static final class FailingSink implements RecordSink {
    @Override
    public void write(ObjectNode record) {
      throw new IllegalStateException("sink is broken");
    }

    @Override
    public long flush() {
      return 0;
    }

    @Override
    public String describe() {
      return "failing sink";
    }

    @Override
    public void close() {}
  }

  private static final class NoScorer implements Scorer {
    @Override
    public ModelSignature signature() {
      return SIGNATURE;
    }

    @Override
    public CompletableFuture<List<Tensor>> infer(List<Tensor> inputs) {
      throw new AssertionError("no record should reach the model");
    }

    @Override
    public String describe() {
      return "no scorer";
    }

    @Override
    public void close() {}
  }
}
