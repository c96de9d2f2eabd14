package io.ringserve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringserve.batching.Tensor;
import io.ringserve.wire.BytesFraming;
import io.ringserve.wire.DataType;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The JSONL sink writes predictions without a tree: the bytes must be the tree's, always. */
class OutputRecordsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void writtenPredictionIsTheSameJsonAsTheBuiltRecordForEveryDataType() throws Exception {
    Random random = new Random(7);
    for (DataType type : DataType.values()) {
      for (int trial = 0; trial < 50; trial++) {
        int rows = 1 + random.nextInt(4);
        int perRow = random.nextInt(4); // 0: an empty output, 1: a scalar
        Tensor out = tensor("OUT", type, rows, perRow, random);
        // BYTES cannot be sliced by rows: such an output goes whole (a model that does not batch).
        boolean batched = type != DataType.BYTES;
        assertSame(new OutputRecords(List.of()), record(null), List.of(out), rows, batched);
      }
    }
  }

  @Test
  void passThroughFieldsAndRepeatedNamesComeOutAsInTheBuiltRecord() throws Exception {
    Random random = new Random(11);
    ObjectNode fields = JSON.createObjectNode();
    fields.put("id", "tx-\u00e9\"7\n");
    fields.put("amount", 12.5);
    fields.putArray("tags").add(1).add("x");
    fields.putNull("none");
    fields.put("OUT", 3);
    Tensor a = tensor("OUT", DataType.FP32, 2, 3, random);
    Tensor b = tensor("SCORE", DataType.FP64, 2, 1, random);
    List<List<String>> passThroughs =
        List.of(
            List.of("id", "amount", "tags", "none", "missing"),
            List.of("OUT", "id"), // a kept field named like an output
            List.of("id", "id")); // --id and --keep naming one field
    for (List<String> kept : passThroughs) {
      OutputRecords outputs = new OutputRecords(kept);
      assertSame(outputs, record(fields), List.of(a, b), 2, true);
      assertSame(outputs, record(null), List.of(a, b), 2, true);
      assertSame(outputs, record(fields), List.of(a, b, a), 2, true); // an output twice
    }
  }

  private static SourceRecord record(ObjectNode fields) {
    return fields == null
        ? SourceRecord.unreadable("in:2", "unused")
        : SourceRecord.of("in:2", fields);
  }

  private static void assertSame(
      OutputRecords outputs, SourceRecord in, List<Tensor> result, int rows, boolean batched)
      throws Exception {
    for (int row = 0; row < (batched ? rows : 1); row++) {
      String built = JSON.writeValueAsString(outputs.prediction(in, result, row, batched));
      StringWriter written = new StringWriter();
      try (JsonGenerator json = JSON.getFactory().createGenerator(written)) {
        outputs.writePrediction(json, in, result, row, batched);
      }
      assertEquals(built, written.toString());
    }
  }

  private static Tensor tensor(String name, DataType type, int rows, int perRow, Random random) {
    long[] shape = perRow == 1 ? new long[] {rows} : new long[] {rows, perRow};
    int count = rows * perRow;
    if (type == DataType.BYTES) {
      byte[][] elements = new byte[count][];
      for (int i = 0; i < count; i++) {
        elements[i] = ("s" + random.nextInt(1000) + "\"\u00fc").getBytes(StandardCharsets.UTF_8);
      }
      return Tensor.of(name, type, shape, BytesFraming.write(elements));
    }
    byte[] bytes = new byte[count * type.byteSize()];
    random.nextBytes(bytes);
    return Tensor.of(name, type, shape, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
  }
}
