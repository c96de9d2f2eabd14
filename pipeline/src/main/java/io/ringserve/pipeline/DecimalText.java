package io.ringserve.pipeline;

import java.nio.charset.StandardCharsets;

/**
 * Parses the plain decimals that CSV feature files are made of ({@code -1.359807}, {@code 0.1234},
 * {@code 149}) several times faster than {@link Double#parseDouble} and {@link Float#parseFloat},
 * with the same result bit for bit; anything else (exponents, more digits, {@code NaN}, malformed
 * text) goes to those methods, errors included.
 *
 * <p>Why it is exact for doubles: with at most 15 digits the digits read as an integer are an exact
 * double, and so is 10^k for k up to 22; one IEEE division of two exact values is correctly
 * rounded, which is what {@link Double#parseDouble} returns too (Clinger's fast path).
 *
 * <p>Why it is exact for floats: the float nearest the decimal is decided by which side of each
 * midpoint between two adjacent floats the decimal lies. Every such midpoint (in the fast path's
 * range, 1e-15 to 1e15, all normal floats) is a double, and rounding to double never crosses a
 * double, so the correctly rounded double lies on the same side of every midpoint as the decimal,
 * unless it lands exactly on one; then it is left to {@link Float#parseFloat}. Rounding the double
 * to a float therefore gives {@link Float#parseFloat}'s float. Shorter decimals (digits up to 2^24,
 * up to 10 of them after the point) are one float division of two exact floats instead, correctly
 * rounded by IEEE and a little cheaper. ({@code (float) Double.parseDouble(s)} alone can be one
 * float off: a decimal just above a midpoint may round to the midpoint, then to the even side.)
 *
 * <p>Why it matters: a row of {@code mlp}'s 784 CSV columns spends more time in {@link
 * Double#parseDouble} than the model spends on it.
 *
 * <p>Stateless and thread-safe.
 */
final class DecimalText {
  private static final int MAX_DIGITS = 15;
  private static final double[] POWERS_OF_TEN = new double[MAX_DIGITS + 1];

  /** A double's 29 bits below a float's precision, and their value at a float midpoint. */
  private static final long BELOW_FLOAT = (1L << 29) - 1;

  private static final long FLOAT_MIDPOINT = 1L << 28;

  /** Digits (as an integer) up to 2^24 and 10^k up to 10^10 (5^10 < 2^24) are exact floats. */
  private static final long FLOAT_EXACT_DIGITS = 1L << 24;

  private static final float[] FLOAT_POWERS_OF_TEN = new float[11];

  static {
    double p = 1;
    for (int i = 0; i <= MAX_DIGITS; i++) {
      POWERS_OF_TEN[i] = p;
      p *= 10;
    }
    for (int i = 0; i < FLOAT_POWERS_OF_TEN.length; i++) {
      FLOAT_POWERS_OF_TEN[i] = (float) POWERS_OF_TEN[i];
    }
  }

  private DecimalText() {}

  /**
   * {@code Double.parseDouble(text)}.
   *
   * @throws NumberFormatException as {@link Double#parseDouble} does
   */
  static double parse(String text) {
    long p = plain(text);
    return p != NOT_PLAIN ? scaled(p) : Double.parseDouble(text);
  }

  /**
   * {@code Float.parseFloat(text)}.
   *
   * @throws NumberFormatException as {@link Float#parseFloat} does
   */
  static float parseFloat(String text) {
    long p = plain(text);
    float f = p != NOT_PLAIN ? scaledFloat(p) : Float.NaN;
    return f == f ? f : Float.parseFloat(text);
  }

  /**
   * {@code Double.parseDouble} of the UTF-8 text {@code bytes[from, to)}, without making it a
   * string when it is a plain decimal (a CSV row's columns are parsed where they lie).
   *
   * @throws NumberFormatException as {@link Double#parseDouble} does
   */
  static double parse(byte[] bytes, int from, int to) {
    long p = plain(bytes, from, to);
    return p != NOT_PLAIN ? scaled(p) : Double.parseDouble(string(bytes, from, to));
  }

  /**
   * {@code Float.parseFloat} of the UTF-8 text {@code bytes[from, to)}, as {@link #parse(byte[],
   * int, int)}.
   *
   * @throws NumberFormatException as {@link Float#parseFloat} does
   */
  static float parseFloat(byte[] bytes, int from, int to) {
    long p = plain(bytes, from, to);
    float f = p != NOT_PLAIN ? scaledFloat(p) : Float.NaN;
    return f == f ? f : Float.parseFloat(string(bytes, from, to));
  }

  /**
   * The correctly rounded double of a plain decimal, given its digits as an integer of at most 15
   * digits and the number of them after the point.
   */
  static double scaled(long digitsValue, int fractionDigits, boolean negative) {
    double value = digitsValue / POWERS_OF_TEN[fractionDigits];
    return negative ? -value : value;
  }

  /**
   * The nearest float of a plain decimal, given as {@link #scaled}'s arguments, or NaN where that
   * takes {@link Float#parseFloat} (the caller's fallback).
   */
  static float scaledFloat(long digitsValue, int fractionDigits, boolean negative) {
    if (digitsValue <= FLOAT_EXACT_DIGITS && fractionDigits < FLOAT_POWERS_OF_TEN.length) {
      float value = digitsValue / FLOAT_POWERS_OF_TEN[fractionDigits];
      return negative ? -value : value;
    }
    return toFloat(scaled(digitsValue, fractionDigits, negative));
  }

  /** {@link #scaled}'s double as the decimal's nearest float, or NaN on a float midpoint. */
  private static float toFloat(double scaled) {
    return onFloatMidpoint(scaled) ? Float.NaN : (float) scaled;
  }

  /** Most digits {@link #scaled} takes. */
  static int maxDigits() {
    return MAX_DIGITS;
  }

  /**
   * Whether the double {@link #scaled} gave is exactly halfway between two floats, where rounding
   * it to a float may not give the decimal's nearest float (then ask {@link Float#parseFloat}).
   */
  static boolean onFloatMidpoint(double scaled) {
    return (Double.doubleToRawLongBits(scaled) & BELOW_FLOAT) == FLOAT_MIDPOINT;
  }

  // A plain decimal as one long: its digits as an integer (under 10^15, 50 bits), then how many
  // are after the point (4 bits), then the sign; NOT_PLAIN: not a plain decimal.
  private static final long NOT_PLAIN = -1;
  private static final int FRACTION_SHIFT = 50;
  private static final long DIGITS_MASK = (1L << FRACTION_SHIFT) - 1;
  private static final long NEGATIVE = 1L << 54;

  private static long pack(long digitsValue, int fractionDigits, boolean negative) {
    return digitsValue
        | (long) Math.max(fractionDigits, 0) << FRACTION_SHIFT
        | (negative ? NEGATIVE : 0);
  }

  private static double scaled(long plain) {
    return scaled(
        plain & DIGITS_MASK, (int) (plain >>> FRACTION_SHIFT) & 15, (plain & NEGATIVE) != 0);
  }

  private static float scaledFloat(long plain) {
    return scaledFloat(
        plain & DIGITS_MASK, (int) (plain >>> FRACTION_SHIFT) & 15, (plain & NEGATIVE) != 0);
  }

  /** The text as a packed plain decimal, or NOT_PLAIN (anything else, errors too). */
  private static long plain(String text) {
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
          return NOT_PLAIN;
        }
        digitsValue = digitsValue * 10 + (c - '0');
        if (fractionDigits >= 0) {
          fractionDigits++;
        }
      } else if (c == '.' && fractionDigits < 0) {
        fractionDigits = 0;
      } else {
        return NOT_PLAIN;
      }
    }
    if (digits == 0) {
      return NOT_PLAIN; // "", "-", "." and the like: the slow path's error
    }
    return pack(digitsValue, fractionDigits, negative);
  }

  private static long plain(byte[] bytes, int from, int to) {
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
          return NOT_PLAIN;
        }
        digitsValue = digitsValue * 10 + (c - '0');
        if (fractionDigits >= 0) {
          fractionDigits++;
        }
      } else if (c == '.' && fractionDigits < 0) {
        fractionDigits = 0;
      } else {
        return NOT_PLAIN;
      }
    }
    if (digits == 0) {
      return NOT_PLAIN;
    }
    return pack(digitsValue, fractionDigits, negative);
  }

  private static String string(byte[] bytes, int from, int to) {
    return new String(bytes, from, to - from, StandardCharsets.UTF_8);
  }
}
