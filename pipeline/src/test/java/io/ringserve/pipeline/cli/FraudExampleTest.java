package io.ringserve.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringserve.server.internal.examples.FraudModel;
import io.ringserve.server.testing.ExampleRepository;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The README's two lines: {@code score generate} writes a transactions CSV, and the bundled {@code
 * fraud} model scores it with the default field mapping (every column, in order).
 */
class FraudExampleTest {
  private static final int ROWS = 5_000;

  @TempDir Path dir;
  private String lastErr = "";

  @Test
  void generatedTransactionsAreSeededAndNamedLikeThePublicDataSet() throws Exception {
    Path one = dir.resolve("one.csv");
    Path again = dir.resolve("again.csv");
    Path other = dir.resolve("other.csv");
    assertEquals(0, run("generate", "--rows", "300", "-o", one.toString()), lastErr);
    assertEquals(0, run("generate", "--rows", "300", "--output", again.toString()), lastErr);
    assertEquals(0, run("generate", "--rows", "300", "--seed", "7", "-o", other.toString()));

    List<String> lines = Files.readAllLines(one);
    assertEquals(301, lines.size(), "a header and one line per row");
    assertEquals(String.join(",", FraudModel.FEATURES), lines.get(0));
    assertTrue(lines.get(0).startsWith("Time,V1,V2,"), lines.get(0));
    assertTrue(lines.get(0).endsWith(",V28,Amount"), lines.get(0));
    for (String line : lines.subList(1, lines.size())) {
      assertEquals(30, line.split(",").length, line);
    }
    assertArrayEquals(Files.readAllBytes(one), Files.readAllBytes(again), "same seed, same bytes");
    assertFalse(Arrays.equals(Files.readAllBytes(one), Files.readAllBytes(other)), "other seed");

    assertEquals(2, run("generate", "--rows", "-1", "-o", one.toString()));
    assertTrue(lastErr.contains("--rows must be >= 0"), lastErr);
  }

  @Test
  void generateWritesUniformFeatureColumnsForVectorModels() throws Exception {
    Path csv = dir.resolve("mlp.csv");
    assertEquals(0, run("generate", "--features", "4", "--rows", "50", "-o", csv.toString()));

    List<String> lines = Files.readAllLines(csv);
    assertEquals(51, lines.size());
    assertEquals("x0,x1,x2,x3", lines.get(0));
    for (String line : lines.subList(1, lines.size())) {
      for (String cell : line.split(",")) {
        double v = Double.parseDouble(cell);
        assertTrue(v >= 0 && v <= 1, line);
      }
    }
  }

  @Test
  void theFraudModelScoresAGeneratedFileAsItsReferenceDoes() throws Exception {
    Path csv = dir.resolve("transactions.csv");
    Path scored = dir.resolve("scored.jsonl");
    assertEquals(0, run("generate", "--rows", Integer.toString(ROWS), "-o", csv.toString()));

    assertEquals(
        0,
        run(
            "--model",
            "fraud",
            "--model-repository",
            ExampleRepository.only("fraud").toString(),
            "--source",
            csv.toString(),
            "--sink",
            scored.toString()),
        lastErr);

    List<String> rows = Files.readAllLines(csv);
    List<JsonNode> out = SimpleRecords.readJsonl(scored);
    assertEquals(ROWS, out.size());
    int high = 0;
    for (int r = 0; r < ROWS; r++) {
      String[] cells = rows.get(r + 1).split(",");
      float[] x = new float[cells.length];
      for (int i = 0; i < cells.length; i++) {
        x[i] = Float.parseFloat(cells[i]);
      }
      JsonNode p = out.get(r).get(FraudModel.OUTPUT);
      assertTrue(p != null && p.isNumber(), out.get(r).toString());
      assertEquals(FraudModel.bundled().probability(x), p.asDouble(), 1e-5, "row " + (r + 1));
      if (p.asDouble() > 0.5) {
        high++;
      }
    }
    // About 0.2% drawn as fraud, and a similar share of ordinary rows in the tail.
    assertTrue(high > 0 && high < ROWS / 50, high + " of " + ROWS + " scored above 0.5");
  }

  private int run(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        new CommandLine(new ScoreCommand(new PrintStream(err, true, StandardCharsets.UTF_8)))
            .execute(new ArrayList<>(List.of(args)).toArray(String[]::new));
    lastErr = err.toString(StandardCharsets.UTF_8);
    return code;
  }
}
