package io.ringserve.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.batching.Tensor;
import io.ringserve.pipeline.ModelSignature.Spec;
import io.ringserve.wire.DataType;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchMapperTest {
  private static final List<String> HEADER = List.of("id", "a", "b", "c", "d");

  // Plain decimals, blanks, exponents, NaN, a word, a row too short, a row too long, digits past
  // the fast path, a decimal just above a float midpoint, text after a number, an empty last
  // column.
  private static final List<String> ROWS =
      List.of(
          "1,0.5,-2,3,7",
          "2, 1.25 ,1e3,NaN,-0.0",
          "3,x,2,3,4",
          "4,1,2",
          "5,0.1,0.2,0.3,0.4,0.5",
          "6,123456789.123456789,+4,.5,8.",
          "7,,1,2,3",
          "8,\u00a01,2,3,4",
          "9, 2 ,3,4,\t5\t",
          "10,1.0000000596046448,0.1,x,16777217",
          "11,-0.0,+.5e-3, ,1.0000000596046448",
          "12,0.5,0.5,0.5,0.5 x",
          "13,0.5 0.5,1,2,3",
          "14,1,2,3,",
          "15,1,2,3,4,",
          "16,999999999999999,0.000000000000001,0,1234567.8901234");

  // Integers: signs, blanks, leading zeros, each type's limits and one past, fractions, exponents,
  // 19 and 20 digits, an empty value, a non-ASCII digit (Long.parseLong takes it).
  private static final List<String> INTEGER_ROWS =
      List.of(
          "1,5,-3,0,7",
          "2, +12 ,-128,x,127",
          "3,128,0,0,-129",
          "4,1.0,2,3,4",
          "5,99999999999999999999,1,2,3",
          "6,-0,00042,1,255",
          "7,,1,2,3",
          "8,9223372036854775807,1,2,-9223372036854775808",
          "9,1e3,1,2,3",
          "10,\u0663,1,2,3",
          "11,65535,65536,1,-32768",
          "12,4294967295,4294967296,1,-1",
          "13,2147483647,-2147483648,1,32767",
          "14,1,2,3,4 5",
          "15,255,256,0,0");

  // BOOL: every accepted spelling in mixed case, blanks, and what is refused.
  private static final List<String> BOOL_ROWS =
      List.of(
          "1,true,FALSE,x,1",
          "2, 0 ,True,x,0",
          "3,yes,1,x,1",
          "4,2,0,x,0",
          "5,tRuE,fAlSe,x, true ",
          "6,,1,x,1",
          "7,true false,1,x,1",
          "8,1,0,x,-1");

  private static ModelSignature model(DataType first, DataType second) {
    return new ModelSignature(
        "m",
        "",
        64,
        List.of(new Spec("X", first, new long[] {2}), new Spec("Y", second, new long[] {1})),
        List.of(new Spec("OUTPUT0", DataType.FP32, new long[] {1})));
  }

  @Test
  void csvRowsParsedInPlaceGiveTheBytesAndErrorsOfTheGeneralPath() throws Exception {
    check(model(DataType.FP32, DataType.FP64), "X=a,b", true);
    check(model(DataType.FP64, DataType.FP32), "X=b,a", true);
  }

  @Test
  void inputsTheFastPathDoesNotTakeGoTheGeneralWay() throws Exception {
    check(model(DataType.FP32, DataType.FP16), "X=a,b", false);
    check(model(DataType.BF16, DataType.FP32), "X=a,b", false);
  }

  @Test
  void integerColumnsParsedInPlaceGiveTheBytesAndErrorsOfTheGeneralPath() throws Exception {
    check(model(DataType.INT8, DataType.UINT64), "X=a,b", true, INTEGER_ROWS);
    check(model(DataType.INT16, DataType.INT32), "X=a,b", true, INTEGER_ROWS);
    check(model(DataType.UINT8, DataType.UINT16), "X=a,b", true, INTEGER_ROWS);
    check(model(DataType.UINT32, DataType.INT64), "X=b,a", true, INTEGER_ROWS);
    check(model(DataType.INT64, DataType.INT8), "X=a,b", true, INTEGER_ROWS);
  }

  @Test
  void boolColumnsParsedInPlaceGiveTheBytesAndErrorsOfTheGeneralPath() throws Exception {
    check(model(DataType.BOOL, DataType.BOOL), "X=a,b", true, BOOL_ROWS);
    check(model(DataType.BOOL, DataType.INT8), "X=a,b", true, BOOL_ROWS);
  }

  @Test
  void aColumnReadTwiceGivesTheBytesOfTheGeneralPath() throws Exception {
    check(model(DataType.FP32, DataType.FP64), "X=a,a", true);
  }

  @Test
  void fp32ValuesAreTheNearestFloatsOfTheText() {
    ModelSignature signature = model(DataType.FP32, DataType.FP32);
    FieldMapping mapping =
        FieldMapping.create(
            signature,
            List.of(InputBinding.parse("X=a,b"), InputBinding.parse("Y=d")),
            List.of(),
            HEADER);
    RequestBatch batch = new RequestBatch();
    // a: just above the midpoint between 1 and the next float; d: a midpoint, ties to even.
    byte[] row = "1,1.0000000596046448,0.1,x,16777217".getBytes(StandardCharsets.UTF_8);
    batch.add(SourceRecord.deferred("f:2", new CsvRow(row, HEADER)));
    new BatchMapper(mapping, new OutputRecords(List.of())).map(batch);
    assertNull(batch.errors.get(0));
    List<Tensor> tensors = batch.tensors(signature);
    ByteBuffer x = tensors.get(0).data();
    assertEquals(Math.nextUp(1.0f), x.getFloat(x.position()));
    assertEquals(0.1f, x.getFloat(x.position() + 4));
    ByteBuffer y = tensors.get(1).data();
    assertEquals(16777216f, y.getFloat(y.position()));
  }

  private static void check(ModelSignature signature, String x, boolean fast) throws Exception {
    check(signature, x, fast, ROWS);
  }

  private static void check(ModelSignature signature, String x, boolean fast, List<String> rows)
      throws Exception {
    FieldMapping mapping =
        FieldMapping.create(
            signature,
            List.of(InputBinding.parse(x), InputBinding.parse("Y=d")),
            List.of("id"),
            HEADER);
    assertEquals(fast, mapping.numericColumns(HEADER) != null);
    OutputRecords outputs = new OutputRecords(List.of("id"));

    RequestBatch batch = new RequestBatch();
    for (int i = 0; i < rows.size(); i++) {
      batch.add(
          SourceRecord.deferred(
              "f:" + (i + 2), new CsvRow(rows.get(i).getBytes(StandardCharsets.UTF_8), HEADER)));
    }
    new BatchMapper(mapping, outputs).map(batch);

    // The general path, record by record: parse the row into fields, map the fields.
    List<ByteArrayOutputStream> expected =
        List.of(new ByteArrayOutputStream(), new ByteArrayOutputStream());
    List<String> errors = new ArrayList<>();
    int mapped = 0;
    for (int i = 0; i < rows.size(); i++) {
      SourceRecord r =
          new CsvRow(rows.get(i).getBytes(StandardCharsets.UTF_8), HEADER).parse("f:" + (i + 2));
      String error = r.readError();
      if (error == null) {
        try {
          ByteBuffer[] row = mapping.map(r.fields());
          for (int k = 0; k < row.length; k++) {
            byte[] b = new byte[row[k].remaining()];
            row[k].duplicate().get(b);
            expected.get(k).write(b);
          }
          mapped++;
        } catch (RecordException e) {
          error = e.getMessage();
        }
      }
      errors.add(error);
      SourceRecord kept = batch.records.get(i);
      assertEquals("f:" + (i + 2), kept.position());
      assertNull(kept.text());
      if (r.readError() == null) {
        assertEquals(rows.get(i).split(",")[0], kept.fields().get("id").asText());
      }
    }
    assertEquals(errors, batch.errors);
    if (rows == ROWS) {
      assertNotNull(errors.get(2)); // the word
      assertNotNull(errors.get(3)); // too short
    }
    if (fast) {
      // The fast path takes rows (not only passes them on), and only rows that map.
      int[][] columns = mapping.numericColumns(HEADER);
      CsvRowParser parser = CsvRowParser.of(HEADER.size(), columns, signature.inputs());
      int taken = 0;
      for (int i = 0; parser != null && i < rows.size(); i++) {
        ByteBuffer[] buffers = new ByteBuffer[columns.length];
        for (int k = 0; k < buffers.length; k++) {
          buffers[k] = ByteBuffer.allocate(parser.rowBytes(k));
        }
        byte[] text = rows.get(i).getBytes(StandardCharsets.UTF_8);
        if (parser.parse(text, new int[HEADER.size() + 1], buffers)) {
          assertNull(errors.get(i), rows.get(i));
          taken++;
        }
      }
      assertTrue(parser == null || taken > 0, "rows the fast path took: " + taken);
    }
    assertEquals(mapped, batch.rows());
    List<Tensor> tensors = batch.tensors(signature);
    for (int k = 0; k < 2; k++) {
      ByteBuffer data = tensors.get(k).data();
      byte[] actual = new byte[data.remaining()];
      data.duplicate().get(actual);
      assertArrayEquals(expected.get(k).toByteArray(), actual, "input " + k);
      assertEquals(mapped, tensors.get(k).shape()[0]);
    }
  }
}
