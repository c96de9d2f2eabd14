package io.ringserve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringserve.batching.Tensor;
import io.ringserve.wire.DataType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
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

  @Test
  void outputsKeepInputOrderWhenBatchesMapAndAnswerOutOfOrder() throws Exception {
    List<String> header = List.of("p", "q");
    List<SourceRecord> in = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      String row = i % 97 == 0 ? i + ",oops" : i + "," + (i * 0.5);
      in.add(
          SourceRecord.deferred(
              "in:" + (i + 2), new CsvRow(row.getBytes(StandardCharsets.UTF_8), header)));
    }
    CollectingSink sink = new CollectingSink();
    String failure =
        new ScoringRun(
                new EchoScorer(),
                FieldMapping.create(SIGNATURE, List.of(), List.of(), header),
                new ListSource(in, header),
                sink,
                new OutputRecords(List.of()),
                new ScoringRun.Options(7, 3, -1, Duration.ofHours(1), null, null, 4))
            .run();

    assertNull(failure);
    assertEquals(in.size(), sink.records.size());
    for (int i = 0; i < in.size(); i++) {
      ObjectNode out = sink.records.get(i);
      if (i % 97 == 0) {
        assertEquals("in:" + (i + 2), out.get(OutputRecords.RECORD_FIELD).asText(), out.toString());
      } else {
        assertEquals(i, out.get("OUTPUT0").get(0).asDouble(), out.toString());
        assertEquals(i * 0.5, out.get("OUTPUT0").get(1).asDouble(), out.toString());
      }
    }
  }

  /** Answers each request with its input, after a random delay, on a thread of its own. */
  private static final class EchoScorer implements Scorer {
    @Override
    public ModelSignature signature() {
      return SIGNATURE;
    }

    @Override
    public CompletableFuture<List<Tensor>> infer(List<Tensor> inputs) {
      Tensor x = inputs.get(0);
      Tensor y = Tensor.of("OUTPUT0", DataType.FP32, x.shape(), x.data());
      Executor later =
          CompletableFuture.delayedExecutor(
              ThreadLocalRandom.current().nextInt(5), TimeUnit.MILLISECONDS);
      return CompletableFuture.supplyAsync(() -> List.of(y), later);
    }

    @Override
    public String describe() {
      return "echo";
    }

    @Override
    public void close() {}
  }

  private static final class ListSource implements RecordSource {
    private final List<SourceRecord> records;
    private final List<String> columns;
    private int next;

    ListSource(List<SourceRecord> records, List<String> columns) {
      this.records = records;
      this.columns = columns;
    }

    @Override
    public SourceRecord next() {
      return next < records.size() ? records.get(next++) : null;
    }

    @Override
    public List<String> columns() {
      return columns;
    }

    @Override
    public long bytesRead() {
      return -1;
    }

    @Override
    public long totalBytes() {
      return -1;
    }

    @Override
    public String describe() {
      return "list";
    }

    @Override
    public void close() {}
  }

  private static final class CollectingSink implements RecordSink {
    final List<ObjectNode> records = new ArrayList<>();

    @Override
    public void write(ObjectNode record) {
      records.add(record);
    }

    @Override
    public long flush() {
      return 0;
    }

    @Override
    public String describe() {
      return "collected";
    }

    @Override
    public void close() {}
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
