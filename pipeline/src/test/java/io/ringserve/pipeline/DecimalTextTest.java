package io.ringserve.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link DecimalText#parse} gives {@link Double#parseDouble}'s bits, or its error. */
class DecimalTextTest {

  @Test
  void plainDecimalsParseToTheSameBits() {
    SplittableRandom random = new SplittableRandom(17);
    for (int i = 0; i < 200_000; i++) {
      // Up to 17 digits, so that the fallback past 15 is exercised too.
      int intDigits = random.nextInt(0, 9);
      int fracDigits = random.nextInt(-1, 10);
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
      String text = s.toString();
      if (intDigits == 0 && fracDigits <= 0) {
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

  private static void assertSame(String text) {
    assertEquals(
        Double.doubleToRawLongBits(Double.parseDouble(text)),
        Double.doubleToRawLongBits(DecimalText.parse(text)),
        text);
  }
}
