package io.ringserve.pipeline.cli;

import static io.ringserve.pipeline.cli.SimpleRecords.assertPrediction;
import static io.ringserve.pipeline.cli.SimpleRecords.readJsonl;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringserve.server.testing.ExampleRepository;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ScoreCommandTest {
  @TempDir Path dir;

  private String lastErr = "";

  private int score(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> all = new ArrayList<>(Arrays.asList(args));
    if (!all.contains("--url")) {
      all.add("--model-repository");
      all.add(ExampleRepository.only("simple_onnx").toString());
    }
    int code =
        new CommandLine(new ScoreCommand(new PrintStream(err, true, StandardCharsets.UTF_8)))
            .execute(all.toArray(String[]::new));
    lastErr = err.toString(StandardCharsets.UTF_8);
    return code;
  }

  @Test
  void jsonlRecordsAreScoredInOrderWithTheirId() throws Exception {
    Path in = SimpleRecords.writeJsonl(dir.resolve("in.jsonl"), 0, 100);
    Path out = dir.resolve("out.jsonl");
    Path summary = dir.resolve("summary.json");

    int code =
        score(
            "--model",
            "simple_onnx",
            "--source",
            in.toString(),
            "--sink",
            out.toString(),
            "--id",
            "id",
            "--summary-json",
            summary.toString());

    assertEquals(0, code, lastErr);
    List<JsonNode> records = readJsonl(out);
    assertEquals(100, records.size());
    for (int r = 0; r < 100; r++) {
      assertPrediction(r, records.get(r));
    }
    JsonNode s = SimpleRecords.JSON.readTree(summary.toFile());
    assertEquals(100, s.get("records").asLong());
    assertEquals(0, s.get("errors").asLong());
    assertFalse(Files.exists(dir.resolve("out.jsonl.checkpoint")), "checkpoint left behind");
  }

  @Test
  void csvColumnsMapToInputsAndCsvOutputHasAColumnPerElement() throws Exception {
    Path in = SimpleRecords.writeCsv(dir.resolve("in.csv"), 37);
    Path out = dir.resolve("out.csv");
    List<String> args =
        new ArrayList<>(
            List.of(
                "--model",
                "simple_onnx",
                "--source",
                in.toString(),
                "--sink",
                out.toString(),
                "--id",
                "id"));
    args.addAll(List.of(SimpleRecords.CSV_INPUTS));

    assertEquals(0, score(args.toArray(String[]::new)), lastErr);

    try (CSVParser csv =
        CSVParser.parse(
            new StringReader(Files.readString(out)),
            CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get())) {
      List<String> header = csv.getHeaderNames();
      assertEquals("id", header.get(0));
      assertEquals("OUTPUT0_0", header.get(1));
      assertEquals("OUTPUT1_15", header.get(32));
      assertEquals(List.of("record", "error"), header.subList(33, 35));
      List<CSVRecord> rows = csv.getRecords();
      assertEquals(37, rows.size());
      for (int r = 0; r < 37; r++) {
        CSVRecord row = rows.get(r);
        assertEquals(Integer.toString(r), row.get("id"));
        for (int i = 0; i < 16; i++) {
          int sum = SimpleRecords.a(r, i) + SimpleRecords.b(r, i);
          int diff = SimpleRecords.a(r, i) - SimpleRecords.b(r, i);
          assertEquals(Integer.toString(sum), row.get("OUTPUT0_" + i));
          assertEquals(Integer.toString(diff), row.get("OUTPUT1_" + i));
        }
        assertEquals("", row.get("error"));
      }
    }
  }

  @Test
  void badJsonlRecordsGetErrorRecordsWithTheirLineAndTheRunGoesOn() throws Exception {
    List<String> lines = new ArrayList<>();
    lines.add(SimpleRecords.jsonLine(0));
    lines.add("{\"id\": 1, \"INPUT0\": [1, 2"); // line 2: malformed
    lines.add("{\"id\": 2, \"INPUT0\": " + zeros(16) + "}"); // line 3: INPUT1 missing
    lines.add(SimpleRecords.jsonLine(3).replace("\"INPUT1\":[3,", "\"INPUT1\":[\"abc\",")); // 4
    lines.add("{\"id\": 4, \"INPUT0\": " + zeros(15) + ", \"INPUT1\": " + zeros(16) + "}"); // 5
    lines.add(SimpleRecords.jsonLine(5).replace("\"INPUT0\":[35,", "\"INPUT0\":[1.5,")); // 6
    lines.add(SimpleRecords.jsonLine(6));
    Path in = Files.write(dir.resolve("bad.jsonl"), lines);
    Path out = dir.resolve("out.jsonl");

    assertEquals(
        0,
        score(
            "--model",
            "simple_onnx",
            "--source",
            in.toString(),
            "--sink",
            out.toString(),
            "--id",
            "id"),
        lastErr);

    List<JsonNode> records = readJsonl(out);
    assertEquals(7, records.size(), "one output record per input record");
    assertPrediction(0, records.get(0));
    assertError(records.get(1), in + ":2", "malformed JSON");
    assertError(records.get(2), in + ":3", "missing field 'INPUT1'");
    assertError(records.get(3), in + ":4", "field 'INPUT1' is \"abc\", not an integer (INT32)");
    assertError(
        records.get(4),
        in + ":5",
        "input 'INPUT0' takes 16 values (INT32 [16]), the record gives 15");
    assertError(records.get(5), in + ":6", "field 'INPUT0' is 1.5, not an integer (INT32)");
    assertPrediction(6, records.get(6));
    assertEquals(3, records.get(3).get("id").asInt(), "id kept on error records");
    assertTrue(lastErr.contains("5 errors"), lastErr);
  }

  @Test
  void badCsvRowsGetErrorRecordsWithTheirLine() throws Exception {
    List<String> lines = new ArrayList<>();
    lines.add(SimpleRecords.csvHeader());
    lines.add(SimpleRecords.csvLine(0));
    lines.add("1,2,3"); // line 3: too few values
    lines.add(SimpleRecords.csvLine(2).replaceFirst(",", ",x")); // line 4: a0 = x0
    lines.add(SimpleRecords.csvLine(3));
    Path in = Files.write(dir.resolve("bad.csv"), lines);
    Path out = dir.resolve("out.jsonl");
    List<String> args =
        new ArrayList<>(
            List.of(
                "--model",
                "simple_onnx",
                "--source",
                in.toString(),
                "--sink",
                out.toString(),
                "--id",
                "id"));
    args.addAll(List.of(SimpleRecords.CSV_INPUTS));

    assertEquals(0, score(args.toArray(String[]::new)), lastErr);

    List<JsonNode> records = readJsonl(out);
    assertEquals(4, records.size());
    assertPrediction(0, records.get(0));
    assertError(records.get(1), in + ":3", "malformed CSV row: 3 values for 33 columns");
    assertError(records.get(2), in + ":4", "field 'a0' is \"x14\", not an integer (INT32)");
    assertPrediction(3, records.get(3));
  }

  @Test
  void maxErrorsStopsTheRun() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int r = 0; r < 50; r++) {
      lines.add(r % 2 == 0 ? "not json" : SimpleRecords.jsonLine(r));
    }
    Path in = Files.write(dir.resolve("in.jsonl"), lines);

    int code =
        score(
            "--model",
            "simple_onnx",
            "--source",
            in.toString(),
            "--sink",
            dir.resolve("out.jsonl").toString(),
            "--max-errors",
            "3");

    assertEquals(1, code, lastErr);
    assertTrue(lastErr.contains("more than --max-errors 3"), lastErr);
  }

  @Test
  void mappingErrorsAreReportedBeforeAnythingRuns() throws Exception {
    Path csv = SimpleRecords.writeCsv(dir.resolve("in.csv"), 3);
    Path out = dir.resolve("out.jsonl");

    assertEquals(
        2,
        score(
            "--model",
            "simple_onnx",
            "--source",
            csv.toString(),
            "--sink",
            out.toString(),
            "--input",
            "NOPE=a0"));
    assertTrue(lastErr.contains("has no input 'NOPE'"), lastErr);

    assertEquals(
        2,
        score(
            "--model",
            "simple_onnx",
            "--source",
            csv.toString(),
            "--sink",
            out.toString(),
            "--input",
            "INPUT0=a0..a15",
            "--input",
            "INPUT1=b0..b16"));
    assertTrue(lastErr.contains("column 'b16' is not in the source's header"), lastErr);

    assertEquals(
        2,
        score(
            "--model",
            "simple_onnx",
            "--source",
            csv.toString(),
            "--sink",
            out.toString(),
            "--input",
            "INPUT0=a0..a14",
            "--input",
            "INPUT1=b0..b15"));
    assertTrue(
        lastErr.contains("name 15 fields but input 'INPUT0' takes 16 values (INT32 [16])"),
        lastErr);

    assertEquals(
        2, score("--model", "simple_onnx", "--source", csv.toString(), "--sink", out.toString()));
    assertTrue(lastErr.contains("no column for input 'INPUT0'"), lastErr);
    assertFalse(Files.exists(out), "nothing written");
  }

  @Test
  void aDirectoryOrGlobIsReadFileByFileInNameOrder() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    SimpleRecords.writeJsonl(data.resolve("part-2.jsonl"), 20, 20);
    SimpleRecords.writeJsonl(data.resolve("part-1.jsonl"), 0, 20);
    Files.writeString(data.resolve("README.txt"), "not data");

    for (String source : List.of(data.toString(), data + "/part-*.jsonl")) {
      Path out = dir.resolve("out.jsonl");
      assertEquals(
          0,
          score(
              "--model", "simple_onnx", "--source", source, "--sink", out.toString(), "--id", "id"),
          lastErr);
      List<JsonNode> records = readJsonl(out);
      assertEquals(40, records.size(), source);
      for (int r = 0; r < 40; r++) {
        assertPrediction(r, records.get(r));
      }
    }
  }

  @Test
  void remoteModeWritesTheSameBytesAsInProcess() throws Exception {
    Path in = SimpleRecords.writeJsonl(dir.resolve("in.jsonl"), 0, 300);
    Path local = dir.resolve("local.jsonl");
    Path remote = dir.resolve("remote.jsonl");
    assertEquals(
        0,
        score(
            "--model",
            "simple_onnx",
            "--source",
            in.toString(),
            "--sink",
            local.toString(),
            "--id",
            "id"),
        lastErr);

    try (TestServer server = TestServers.loopback(ExampleRepository.only("simple_onnx"))) {
      assertEquals(
          0,
          score(
              "--model",
              "simple_onnx",
              "--url",
              server.target(),
              "--source",
              in.toString(),
              "--sink",
              remote.toString(),
              "--id",
              "id",
              "--max-in-flight",
              "8"),
          lastErr);
    }
    assertArrayEquals(Files.readAllBytes(local), Files.readAllBytes(remote));
  }

  private static String zeros(int n) {
    return Arrays.toString(new int[n]);
  }

  private static void assertError(JsonNode record, String position, String message) {
    assertEquals(position, record.get("record").asText(), record.toString());
    assertTrue(
        record.get("error").asText().contains(message), "expected '" + message + "' in " + record);
    assertFalse(record.has("OUTPUT0"), record.toString());
  }
}
