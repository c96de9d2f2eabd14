package io.ringserve.pipeline.cli;

import static io.ringserve.pipeline.cli.SimpleRecords.a;
import static io.ringserve.pipeline.cli.SimpleRecords.assertPrediction;
import static io.ringserve.pipeline.cli.SimpleRecords.b;
import static io.ringserve.pipeline.cli.SimpleRecords.readJsonl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringserve.server.testing.ExampleRepository;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Parquet files in and out of {@code ringserve score}, through the {@code simple_onnx} model. */
class ParquetFilesTest {
  private static final Schema INPUT =
      SchemaBuilder.record("simple")
          .fields()
          .requiredLong("id")
          .name("INPUT0")
          .type()
          .array()
          .items()
          .intType()
          .noDefault()
          .name("INPUT1")
          .type()
          .array()
          .items()
          .intType()
          .noDefault()
          .endRecord();

  @TempDir Path dir;
  private String lastErr = "";

  @Test
  void aParquetSourceIsScoredInOrderAndABadRowGetsAnErrorRecordWithItsRowNumber() throws Exception {
    Path in = dir.resolve("in.parquet");
    try (ParquetWriter<GenericRecord> w =
        AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(in))
            .withSchema(INPUT)
            .build()) {
      for (int r = 0; r < 500; r++) {
        GenericData.Record row = new GenericData.Record(INPUT);
        row.put("id", (long) r);
        List<Integer> input0 = new ArrayList<>();
        List<Integer> input1 = new ArrayList<>();
        for (int i = 0; i < SimpleRecords.WIDTH; i++) {
          input0.add(a(r, i));
          input1.add(b(r, i));
        }
        if (r == 7) {
          input0.remove(0); // row 8: one value short
        }
        row.put("INPUT0", input0);
        row.put("INPUT1", input1);
        w.write(row);
      }
    }
    Path out = dir.resolve("out.jsonl");

    assertEquals(0, score("--source", in.toString(), "--sink", out.toString(), "--id", "id"));

    List<JsonNode> records = readJsonl(out);
    assertEquals(500, records.size());
    for (int r = 0; r < 500; r++) {
      if (r == 7) {
        assertEquals(in + ":8", records.get(r).get("record").asText(), records.get(r).toString());
        assertTrue(
            records.get(r).get("error").asText().contains("the record gives 15"),
            records.get(r).toString());
      } else {
        assertPrediction(r, records.get(r));
      }
    }
  }

  @Test
  void aParquetSinkHoldsTypedColumnsThatMatchTheModel() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int r = 0; r < 300; r++) {
      lines.add(r == 5 ? "{not json" : SimpleRecords.jsonLine(r));
    }
    Path in = Files.write(dir.resolve("in.jsonl"), lines);
    Path out = dir.resolve("out.parquet");

    assertEquals(0, score("--source", in.toString(), "--sink", out.toString(), "--id", "id"));

    assertFalse(Files.exists(dir.resolve("out.parquet.partial")), "the .partial file is renamed");
    try (ParquetReader<GenericRecord> reader =
        AvroParquetReader.<GenericRecord>builder(new LocalInputFile(out)).build()) {
      Schema schema = null;
      for (int r = 0; r < 300; r++) {
        GenericRecord row = reader.read();
        schema = row.getSchema();
        if (r == 5) {
          assertNull(row.get("OUTPUT0"));
          assertEquals(in + ":6", row.get("record").toString());
          assertTrue(row.get("error").toString().contains("malformed JSON"), row.toString());
          continue;
        }
        assertEquals(Integer.toString(r), row.get("id").toString());
        List<?> sum = (List<?>) row.get("OUTPUT0");
        List<?> difference = (List<?>) row.get("OUTPUT1");
        assertEquals(SimpleRecords.WIDTH, sum.size());
        for (int i = 0; i < SimpleRecords.WIDTH; i++) {
          assertEquals(a(r, i) + b(r, i), sum.get(i), "sum of record " + r);
          assertEquals(a(r, i) - b(r, i), difference.get(i), "difference of record " + r);
        }
        assertNull(row.get("error"));
      }
      assertNull(reader.read(), "one output row per input record");
      assertEquals(
          List.of("id", "OUTPUT0", "OUTPUT1", "record", "error"),
          schema.getFields().stream().map(Schema.Field::name).toList());
    }
  }

  @Test
  void parquetToParquetRoundTripsThroughTheModel() throws Exception {
    Path in = SimpleRecords.writeJsonl(dir.resolve("in.jsonl"), 0, 200);
    Path first = dir.resolve("first.parquet");
    Path second = dir.resolve("second.parquet");
    assertEquals(0, score("--source", in.toString(), "--sink", first.toString(), "--id", "id"));

    // The first run's outputs, read back from Parquet, are the second run's inputs:
    // (a + b) + (a - b) = 2a and (a + b) - (a - b) = 2b.
    assertEquals(
        0,
        score(
            "--source",
            first.toString(),
            "--sink",
            second.toString(),
            "--id",
            "id",
            "--input",
            "INPUT0=OUTPUT0",
            "--input",
            "INPUT1=OUTPUT1"),
        lastErr);

    try (ParquetReader<GenericRecord> reader =
        AvroParquetReader.<GenericRecord>builder(new LocalInputFile(second)).build()) {
      for (int r = 0; r < 200; r++) {
        GenericRecord row = reader.read();
        assertEquals(Integer.toString(r), row.get("id").toString());
        List<?> twiceA = (List<?>) row.get("OUTPUT0");
        List<?> twiceB = (List<?>) row.get("OUTPUT1");
        for (int i = 0; i < SimpleRecords.WIDTH; i++) {
          assertEquals(2 * a(r, i), twiceA.get(i), "record " + r);
          assertEquals(2 * b(r, i), twiceB.get(i), "record " + r);
        }
      }
      assertNull(reader.read());
    }
  }

  @Test
  void resumeIsRefusedForAParquetSinkWithAClearMessage() throws Exception {
    Path in = SimpleRecords.writeJsonl(dir.resolve("in.jsonl"), 0, 10);
    Path out = dir.resolve("out.parquet");

    assertEquals(2, score("--source", in.toString(), "--sink", out.toString(), "--resume"));
    assertTrue(lastErr.contains("a Parquet file cannot be appended to"), lastErr);
    assertFalse(Files.exists(out));
    assertEquals(
        2, score("--source", in.toString(), "--sink", "-", "--sink-format", "parquet"), lastErr);
    assertTrue(lastErr.contains("standard output"), lastErr);
  }

  private int score(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of("--model", "simple_onnx"));
    all.addAll(Arrays.asList(args));
    all.add("--model-repository");
    all.add(ExampleRepository.only("simple_onnx").toString());
    int code =
        new CommandLine(new ScoreCommand(new PrintStream(err, true, StandardCharsets.UTF_8)))
            .execute(all.toArray(String[]::new));
    lastErr = err.toString(StandardCharsets.UTF_8);
    return code;
  }
}
