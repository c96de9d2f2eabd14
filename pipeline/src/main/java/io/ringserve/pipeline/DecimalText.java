package io.ringserve.pipeline;

import java.nio.charset.StandardCharsets;

/**
 * Parses the plain decimals that CSV feature files are made of ({@code -1.359807}, {@code 0.1234},
 * {@code 149}) several times faster than {@link Double#parseDouble}, with the same result bit for
 * bit; anything else (exponents, more digits, {@code NaN}, malformed text) goes to {@link
 * Double#parseDouble}, errors included.
 *
 * <p>Why it is exact: with at most 15 digits the digits read as an integer are an exact double, and
 * so is 10^k for k up to 22; one IEEE division of two exact values is correctly rounded, which is
 * what {@link Double#parseDouble} returns too (Clinger's fast path).
 *
 * <p>Why it matters: a row of {@code mlp}'s 784 CSV columns spends more time in {@link
 * Double#parseDouble} than the model spends on it.
 *
 * <p>Stateless and thread-safe.
 */
final class DecimalText {
  private static final int MAX_DIGITS = 15;
  private static final double[] POWERS_OF_TEN = new double[MAX_DIGITS + 1];

  static {
    double p = 1;
    for (int i = 0; i <= MAX_DIGITS; i++) {
      POWERS_OF_TEN[i] = p;
      p *= 10;
    }
  }

  private DecimalText() {}

  /**
   * {@code Double.parseDouble(text)}.
   *
   * @throws NumberFormatException as {@link Double#parseDouble} does
   */
  static double parse(String text) {
    int n = text.length();
    int i = 0;
    boolean negative = false;
    if (n > 0 && (text.charAt(0) == '-' || text.charAt(0) == '+')) {
      negative = text.charAt(0) == '-';
      i = 1;
    }
    long digitsValue = 0;
    int digits = 0;
    int fractionDigits = -1; // -1: no decimal point seen
    for (; i < n; i++) {
      char c = text.charAt(i);
      if (c >= '0' && c <= '9') {
        if (++digits > MAX_DIGITS) {
          return Double.parseDouble(text);
        }
        digitsValue = digitsValue * 10 + (c - '0');
        if (fractionDigits >= 0) {
          fractionDigits++;
        }
      } else if (c == '.' && fractionDigits < 0) {
        fractionDigits = 0;
      } else {
        return Double.parseDouble(text);
      }
    }
    if (digits == 0) {
      return Double.parseDouble(text); // "", "-", "." and the like: its error
    }
    double value = digitsValue / POWERS_OF_TEN[Math.max(fractionDigits, 0)];
    return negative ? -value : value;
  }

  /**
   * {@code Double.parseDouble} of the UTF-8 text {@code bytes[from, to)}, without making it a
   * string when it is a plain decimal (a CSV row's columns are parsed where they lie).
   *
   * @throws NumberFormatException as {@link Double#parseDouble} does
   */
  static double parse(byte[] bytes, int from, int to) {
    int i = from;
    boolean negative = false;
    if (i < to && (bytes[i] == '-' || bytes[i] == '+')) {
      negative = bytes[i] == '-';
      i++;
    }
    long digitsValue = 0;
    int digits = 0;
    int fractionDigits = -1; // -1: no decimal point seen
    for (; i < to; i++) {
      byte c = bytes[i];
      if (c >= '0' && c <= '9') {
        if (++digits > MAX_DIGITS) {
          return Double.parseDouble(new String(bytes, from, to - from, StandardCharsets.UTF_8));
        }
        digitsValue = digitsValue * 10 + (c - '0');
        if (fractionDigits >= 0) {
          fractionDigits++;
        }
      } else if (c == '.' && fractionDigits < 0) {
        fractionDigits = 0;
      } else {
        return Double.parseDouble(new String(bytes, from, to - from, StandardCharsets.UTF_8));
      }
    }
    if (digits == 0) {
      // "", "-", "." and the like: its error
      return Double.parseDouble(new String(bytes, from, to - from, StandardCharsets.UTF_8));
    }
    double value = digitsValue / POWERS_OF_TEN[Math.max(fractionDigits, 0)];
    return negative ? -value : value;
  }
}
