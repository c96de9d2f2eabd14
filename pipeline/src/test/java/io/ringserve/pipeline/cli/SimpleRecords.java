package io.ringserve.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Input files for the {@code simple_onnx} example model (two INT32 inputs of 16, OUTPUT0 = sum,
 * OUTPUT1 = difference) and the check of its outputs against that reference.
 */
final class SimpleRecords {
  static final ObjectMapper JSON = new ObjectMapper();
  static final int WIDTH = 16;

  private SimpleRecords() {}

  static int a(int record, int i) {
    return record * 7 + i;
  }

  static int b(int record, int i) {
    return (record % 13) - i;
  }

  /** {@code {"id": n, "INPUT0": [...], "INPUT1": [...]}} per line. */
  static String jsonLine(int record) {
    StringBuilder s = new StringBuilder("{\"id\":").append(record).append(",\"INPUT0\":[");
    for (int i = 0; i < WIDTH; i++) {
      s.append(i == 0 ? "" : ",").append(a(record, i));
    }
    s.append("],\"INPUT1\":[");
    for (int i = 0; i < WIDTH; i++) {
      s.append(i == 0 ? "" : ",").append(b(record, i));
    }
    return s.append("]}").toString();
  }

  static Path writeJsonl(Path file, int from, int count) throws IOException {
    List<String> lines = new ArrayList<>();
    for (int r = from; r < from + count; r++) {
      lines.add(jsonLine(r));
    }
    return Files.write(file, lines);
  }

  static String csvHeader() {
    StringBuilder s = new StringBuilder("id");
    for (int i = 0; i < WIDTH; i++) {
      s.append(",a").append(i);
    }
    for (int i = 0; i < WIDTH; i++) {
      s.append(",b").append(i);
    }
    return s.toString();
  }

  static String csvLine(int record) {
    StringBuilder s = new StringBuilder().append(record);
    for (int i = 0; i < WIDTH; i++) {
      s.append(',').append(a(record, i));
    }
    for (int i = 0; i < WIDTH; i++) {
      s.append(',').append(b(record, i));
    }
    return s.toString();
  }

  static Path writeCsv(Path file, int count) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add(csvHeader());
    for (int r = 0; r < count; r++) {
      lines.add(csvLine(r));
    }
    return Files.write(file, lines);
  }

  static final String[] CSV_INPUTS = {"--input", "INPUT0=a0..a15", "--input", "INPUT1=b0..b15"};

  /** Checks one JSON output record against the reference sum and difference. */
  static void assertPrediction(int record, JsonNode out) {
    assertEquals(record, out.get("id").asInt(), "id of " + out);
    for (int i = 0; i < WIDTH; i++) {
      assertEquals(a(record, i) + b(record, i), out.get("OUTPUT0").get(i).asInt(), "sum " + out);
      assertEquals(a(record, i) - b(record, i), out.get("OUTPUT1").get(i).asInt(), "diff " + out);
    }
  }

  static List<JsonNode> readJsonl(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      out.add(JSON.readTree(line));
    }
    return out;
  }
}
