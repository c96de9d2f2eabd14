package io.ringserve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringserve.pipeline.ModelSignature.Spec;
import io.ringserve.wire.DataType;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class FieldMappingTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ModelSignature oneInput(long width) {
    return new ModelSignature(
        "fraud",
        "",
        64,
        List.of(new Spec("INPUT0", DataType.FP32, new long[] {width})),
        List.of(new Spec("OUTPUT0", DataType.FP32, new long[] {1})));
  }

  private static float[] floats(ByteBuffer b) {
    float[] f = new float[b.remaining() / 4];
    b.asFloatBuffer().get(f);
    return f;
  }

  @Test
  void aSingleInputTakesEveryFieldButIdAndKeepInOrder() throws Exception {
    FieldMapping m = FieldMapping.create(oneInput(3), List.of(), List.of("id", "label"), List.of());
    ObjectNode record =
        (ObjectNode) JSON.readTree("{\"id\":7,\"a\":1,\"label\":\"x\",\"b\":2.5,\"c\":\"3\"}");

    assertEquals(
        List.of(1f, 2.5f, 3f),
        List.of(
            floats(m.map(record)[0])[0], floats(m.map(record)[0])[1], floats(m.map(record)[0])[2]));
  }

  @Test
  void aFieldOfTheInputsNameIsTakenFirst() throws Exception {
    FieldMapping m = FieldMapping.create(oneInput(2), List.of(), List.of(), List.of());
    ObjectNode record = (ObjectNode) JSON.readTree("{\"other\":9,\"INPUT0\":[4,5]}");

    float[] row = floats(m.map(record)[0]);
    assertEquals(4f, row[0]);
    assertEquals(5f, row[1]);
  }

  @Test
  void rangesExpandAndCsvColumnsAreCheckedAgainstDims() {
    assertEquals(
        List.of("V1", "V2", "V3", "Amount"), InputBinding.parse("INPUT0=V1..V3,Amount").fields());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                FieldMapping.create(
                    oneInput(30), List.of(), List.of("id"), List.of("id", "V1", "V2", "Class")));
    assertTrue(e.getMessage().contains("takes 30 values (FP32 [30])"), e.getMessage());
    assertTrue(e.getMessage().contains("--input INPUT0=COLUMNS"), e.getMessage());
  }

  @Test
  void aMistypedFieldFailsTheRecordNamingTheField() throws Exception {
    FieldMapping m =
        FieldMapping.create(
            oneInput(2), List.of(InputBinding.parse("INPUT0=a,b")), List.of(), List.of());
    ObjectNode record = (ObjectNode) JSON.readTree("{\"a\":1,\"b\":{\"x\":1}}");

    RecordException e = assertThrows(RecordException.class, () -> m.map(record));
    assertEquals("field 'b' is OBJECT, not a number (FP32)", e.getMessage());
  }
}
