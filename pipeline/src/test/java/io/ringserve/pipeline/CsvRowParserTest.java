package io.ringserve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.pipeline.ModelSignature.Spec;
import io.ringserve.wire.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link CsvRowParser} on random rows: each value it writes is {@link Float#parseFloat}'s or {@link
 * Double#parseDouble}'s of the trimmed column, and it refuses exactly the rows with a value those
 * refuse.
 */
class CsvRowParserTest {

  @Test
  void randomRowsParseAsParseFloatAndParseDoubleDo() {
    SplittableRandom random = new SplittableRandom(43);
    for (int round = 0; round < 20_000; round++) {
      int width = random.nextInt(1, 12);
      DataType type = random.nextBoolean() ? DataType.FP32 : DataType.FP64;
      // Every column but the first (an id, skipped) feeds the input, in a shuffled order.
      List<Integer> order = new ArrayList<>();
      for (int c = 1; c < width; c++) {
        order.add(c);
      }
      java.util.Collections.shuffle(order, new java.util.Random(random.nextLong()));
      if (order.isEmpty()) {
        continue;
      }
      int[][] columns = {order.stream().mapToInt(Integer::intValue).toArray()};
      CsvRowParser parser =
          CsvRowParser.of(
              width, columns, List.of(new Spec("X", type, new long[] {columns[0].length})));

      List<String> values = new ArrayList<>();
      for (int c = 0; c < width; c++) {
        values.add(randomValue(random));
      }
      String row = String.join(",", values);
      ByteBuffer b = ByteBuffer.allocate(parser.rowBytes(0) + 8).order(ByteOrder.LITTLE_ENDIAN);
      b.position(8); // not at 0: values go relative to the row's place
      int[] starts = new int[width + 1];
      boolean parsed =
          parser.parse(row.getBytes(StandardCharsets.UTF_8), starts, new ByteBuffer[] {b});

      boolean allNumbers = true;
      for (int c : columns[0]) {
        allNumbers &= parses(values.get(c).trim(), type);
      }
      assertEquals(allNumbers, parsed, row);
      if (!parsed) {
        assertEquals(8, b.position(), "a refused row moves nothing: " + row);
        continue;
      }
      assertEquals(8 + parser.rowBytes(0), b.position());
      for (int j = 0; j < columns[0].length; j++) {
        String text = values.get(columns[0][j]).trim();
        if (type == DataType.FP32) {
          assertEquals(
              Float.floatToRawIntBits(Float.parseFloat(text)),
              Float.floatToRawIntBits(b.getFloat(8 + 4 * j)),
              text + " in " + row);
        } else {
          assertEquals(
              Double.doubleToRawLongBits(Double.parseDouble(text)),
              Double.doubleToRawLongBits(b.getDouble(8 + 8 * j)),
              text + " in " + row);
        }
      }
      byte[] bytes = row.getBytes(StandardCharsets.UTF_8);
      for (int c = 0; c < width; c++) {
        String column =
            new String(bytes, starts[c], starts[c + 1] - 1 - starts[c], StandardCharsets.UTF_8);
        assertEquals(values.get(c), column, "column " + c + " of " + row);
      }
    }
  }

  @Test
  void aRowOfTheWrongWidthIsRefused() {
    CsvRowParser parser =
        CsvRowParser.of(
            3, new int[][] {{0, 1, 2}}, List.of(new Spec("X", DataType.FP32, new long[] {3})));
    for (String row : List.of("1,2", "1,2,3,4", "1,2,3,", "", "1")) {
      ByteBuffer b = ByteBuffer.allocate(12);
      assertFalse(
          parser.parse(row.getBytes(StandardCharsets.UTF_8), new int[4], new ByteBuffer[] {b}),
          row);
      assertEquals(0, b.position());
    }
    assertTrue(
        parser.parse(
            "1,2,3".getBytes(StandardCharsets.UTF_8),
            new int[4],
            new ByteBuffer[] {ByteBuffer.allocate(12)}));
  }

  private static boolean parses(String text, DataType type) {
    try {
      if (type == DataType.FP32) {
        Float.parseFloat(text);
      } else {
        Double.parseDouble(text);
      }
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Mostly plain decimals of 1 to 20 digits; now and then blanks, exponents, words, nothing. */
  private static String randomValue(SplittableRandom random) {
    int kind = random.nextInt(40);
    if (kind == 0) {
      return "";
    }
    if (kind == 1) {
      return List.of("NaN", "-Infinity", "x", "1.2.3", "-", ".", "1-", "0x1p3", "1e", "\u00e9")
          .get(random.nextInt(10));
    }
    StringBuilder s = new StringBuilder();
    if (kind == 2) {
      s.append(' ');
    }
    int sign = random.nextInt(4);
    s.append(sign == 0 ? "-" : sign == 1 ? "+" : "");
    int intDigits = random.nextInt(0, 12);
    int fracDigits = random.nextInt(-1, 10);
    for (int d = 0; d < intDigits; d++) {
      s.append((char) ('0' + random.nextInt(10)));
    }
    if (fracDigits >= 0) {
      s.append('.');
      for (int d = 0; d < fracDigits; d++) {
        s.append((char) ('0' + random.nextInt(10)));
      }
    }
    if (kind == 3) {
      s.append("e").append(random.nextInt(-40, 40));
    }
    if (kind == 4) {
      s.append('\t');
    }
    return s.toString();
  }
}
