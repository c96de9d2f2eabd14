package io.ringserve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link DecimalText#parse} gives {@link Double#parseDouble}'s bits, and {@link
 * DecimalText#parseFloat} {@link Float#parseFloat}'s, or their errors.
 */
class DecimalTextTest {

  @Test
  void plainDecimalsParseToTheSameBits() {
    SplittableRandom random = new SplittableRandom(17);
    for (int i = 0; i < 200_000; i++) {
      // Up to 17 digits, so that the fallback past 15 is exercised too.
      String text = randomDecimal(random, 9, 10);
      if (text == null) {
        continue; // no digit: an error, checked below
      }
      assertSame(text);
    }
  }

  @Test
  void edgeCasesAndOtherFormsMatchToo() {
    for (String text :
        List.of(
            "0",
            "-0",
            "+0.0",
            "1.",
            ".5",
            "-.25",
            "123456789012345",
            "1234567890123456789",
            "0.000000000000001",
            "999999999999999.9",
            "1e3",
            "-2.5E-7",
            "NaN",
            "Infinity",
            "0x1p3",
            "00012.5000")) {
      assertSame(text);
    }
  }

  @Test
  void malformedTextFailsAsParseDoubleDoes() {
    for (String text : List.of("", "-", "+", ".", "1.2.3", "abc", "1,5", "--1", "1-")) {
      assertThrows(NumberFormatException.class, () -> DecimalText.parse(text), text);
    }
  }

  @Test
  void aRangeOfALineParsesAsItsSubstringDoes() {
    byte[] line = "7,-1.359807,1e-3,abc,".getBytes(StandardCharsets.US_ASCII);
    assertEquals(-1.359807, DecimalText.parse(line, 2, 11));
    assertEquals(0.001, DecimalText.parse(line, 12, 16)); // the fallback, on the range alone
    assertThrows(NumberFormatException.class, () -> DecimalText.parse(line, 17, 20));
    assertThrows(NumberFormatException.class, () -> DecimalText.parse(line, 21, 21));
  }

  @Test
  void plainDecimalsParseToTheSameFloat() {
    SplittableRandom random = new SplittableRandom(29);
    for (int i = 0; i < 300_000; i++) {
      String text = randomDecimal(random, 10, 12);
      if (text != null) {
        assertSameFloat(text);
      }
    }
  }

  /**
   * Decimals on, just off and near the midpoints between adjacent floats, where a double rounded to
   * a float can be one float off: the cases the exact float path exists for.
   */
  @Test
  void decimalsNearFloatMidpointsParseToTheNearestFloat() {
    SplittableRandom random = new SplittableRandom(31);
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      // Floats from 1e-15 to 1e15, the fast path's range, and a few outside it.
      float f = (float) (Math.pow(10, random.nextDouble(-17, 17)));
      BigDecimal low = new BigDecimal(f);
      BigDecimal midpoint = low.add(new BigDecimal(Math.nextUp(f))).divide(BigDecimal.valueOf(2));
      texts.add(midpoint.toPlainString()); // exact: ties to even
      for (int digits = 6; digits <= 17; digits++) {
        BigDecimal near = midpoint.round(new MathContext(digits, RoundingMode.HALF_EVEN));
        BigDecimal ulp = near.ulp();
        for (BigDecimal d : List.of(near, near.add(ulp), near.subtract(ulp))) {
          String plain = d.toPlainString();
          texts.add(plain);
          texts.add("-" + plain);
        }
      }
    }
    for (String text : texts) {
      assertSameFloat(text);
    }
  }

  @Test
  void floatEdgeCasesAndOtherFormsMatchToo() {
    for (String text :
        List.of(
            "0",
            "-0",
            "-0.000",
            "16777216",
            "16777217", // a midpoint, exactly: ties to even
            "16777217.0000001",
            "16777219",
            "0.1",
            "0.30000001192092896",
            "1.0000000596046448", // just above a midpoint: (float) parseDouble gives 1.0f
            "3.4028235e38",
            "3.4028236e38",
            "1.4e-45",
            "999999999999999",
            "0.000000000000001",
            "1e3",
            "NaN",
            "-Infinity",
            "1.5f",
            "00012.5000")) {
      assertSameFloat(text);
    }
    // The reason for the float path: the nearest double, made a float, is one float off here.
    assertEquals(Math.nextUp(1.0f), DecimalText.parseFloat("1.0000000596046448"));
    assertEquals(1.0f, (float) Double.parseDouble("1.0000000596046448"));
  }

  @Test
  void malformedTextFailsAsParseFloatDoes() {
    for (String text : List.of("", "-", "+", ".", "1.2.3", "abc", "1,5", "--1", "1-")) {
      assertThrows(NumberFormatException.class, () -> DecimalText.parseFloat(text), text);
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      assertThrows(
          NumberFormatException.class, () -> DecimalText.parseFloat(bytes, 0, bytes.length), text);
    }
  }

  /**
   * A random plain decimal, signed or not, of fewer than {@code intBound} integer digits and, when
   * it has a point, fewer than {@code fractionBound} digits after it; null when no digit was drawn.
   */
  private static String randomDecimal(SplittableRandom random, int intBound, int fractionBound) {
    int intDigits = random.nextInt(0, intBound);
    int fracDigits = random.nextInt(-1, fractionBound);
    StringBuilder s = new StringBuilder();
    int sign = random.nextInt(3);
    s.append(sign == 0 ? "-" : sign == 1 ? "+" : "");
    for (int d = 0; d < intDigits; d++) {
      s.append((char) ('0' + random.nextInt(10)));
    }
    if (fracDigits >= 0) {
      s.append('.');
      for (int d = 0; d < fracDigits; d++) {
        s.append((char) ('0' + random.nextInt(10)));
      }
    }
    return intDigits == 0 && fracDigits <= 0 ? null : s.toString();
  }

  private static void assertSameFloat(String text) {
    int expected = Float.floatToRawIntBits(Float.parseFloat(text));
    assertEquals(expected, Float.floatToRawIntBits(DecimalText.parseFloat(text)), text);
    byte[] bytes = (" " + text + ",").getBytes(StandardCharsets.UTF_8);
    assertEquals(
        expected,
        Float.floatToRawIntBits(DecimalText.parseFloat(bytes, 1, bytes.length - 1)),
        text);
  }

  private static void assertSame(String text) {
    assertEquals(
        Double.doubleToRawLongBits(Double.parseDouble(text)),
        Double.doubleToRawLongBits(DecimalText.parse(text)),
        text);
  }
}
