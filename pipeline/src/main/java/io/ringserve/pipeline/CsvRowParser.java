package io.ringserve.pipeline;

import io.ringserve.pipeline.ModelSignature.Spec;
import io.ringserve.wire.DataType;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * Parses the numeric input columns of a quote-free CSV row straight into a request's input buffers,
 * in one pass over the row's bytes that also notes where each column starts (for the pass-through
 * columns). For {@code mlp} this is most of the scorer's work per record (784 decimals), so it
 * walks the bytes once: no column boundaries found first, no string, no field, no boxed number.
 * Plain decimals are parsed inline ({@link DecimalText}'s exact fast path); any other value text is
 * handed to {@link DecimalText} on its own, which gives {@link Float#parseFloat}'s or {@link
 * Double#parseDouble}'s result or error.
 *
 * <p>Immutable and thread-safe; the caller owns the buffers and the scratch array.
 */
final class CsvRowParser {
  private final int width; // columns in the header
  private final int[] input; // per column: the input that reads it, -1: none
  private final int[] offset; // per column: where its value goes in that input's row, in bytes
  private final DataType[] types; // per input
  private final int[] rowBytes; // per input

  private CsvRowParser(int width, int[] input, int[] offset, DataType[] types, int[] rowBytes) {
    this.width = width;
    this.input = input;
    this.offset = offset;
    this.types = types;
    this.rowBytes = rowBytes;
  }

  /**
   * The parser for rows {@code width} columns wide whose input {@code k} reads, in order, the
   * columns {@code columns[k]} ({@link FieldMapping#numericColumns}), or {@code null} if a column
   * feeds more than one value (rare: the general path handles it).
   */
  static CsvRowParser of(int width, int[][] columns, List<Spec> specs) {
    int[] input = new int[width];
    int[] offset = new int[width];
    Arrays.fill(input, -1);
    DataType[] types = new DataType[columns.length];
    int[] rowBytes = new int[columns.length];
    for (int k = 0; k < columns.length; k++) {
      DataType type = specs.get(k).dataType();
      if (!takes(type)) {
        throw new IllegalArgumentException("not a type parsed here: " + type);
      }
      types[k] = type;
      rowBytes[k] = columns[k].length * type.byteSize();
      for (int j = 0; j < columns[k].length; j++) {
        int c = columns[k][j];
        if (input[c] >= 0) {
          return null;
        }
        input[c] = k;
        offset[c] = j * type.byteSize();
      }
    }
    return new CsvRowParser(width, input, offset, types, rowBytes);
  }

  /** Whether values of {@code type} are parsed here: FP32, FP64, the integer types and BOOL. */
  static boolean takes(DataType type) {
    return switch (type) {
      case FP16, BF16, BYTES -> false;
      default -> true;
    };
  }

  /** Bytes of one row of input {@code k}. */
  int rowBytes(int k) {
    return rowBytes[k];
  }

  /**
   * Parses {@code text} into {@code buffers} (input {@code k}'s positioned where the row goes, with
   * {@link #rowBytes} of room) and notes in {@code starts} (width + 1 long) where each column
   * starts, plus one past the end: column {@code c} is {@code text[starts[c], starts[c + 1] - 1)}.
   * The buffers' positions move past the row only if it parsed.
   *
   * @return false if the row is not the header's width or has a value this cannot take: not a
   *     number of the input's type, an integer out of its range or of more than 18 digits, a BOOL
   *     other than {@code true}, {@code false}, {@code 1}, {@code 0} in ASCII (the general path
   *     then writes the value or names the error)
   */
  boolean parse(byte[] text, int[] starts, ByteBuffer[] buffers) {
    int n = text.length;
    int i = 0;
    int c = 0;
    starts[0] = 0;
    while (true) {
      int k = input[c];
      if (k < 0) {
        while (i < n && text[i] != ',') {
          i++;
        }
      } else {
        ByteBuffer b = buffers[k];
        int at = b.position() + offset[c];
        DataType type = types[k];
        if (type == DataType.FP32 || type == DataType.FP64) {
          i = value(text, i, n, b, at, type == DataType.FP32);
        } else if (type == DataType.BOOL) {
          i = bool(text, i, n, b, at);
        } else {
          i = integer(text, i, n, b, at, type);
        }
        if (i < 0) {
          return false;
        }
      }
      if (i == n) {
        break;
      }
      if (++c == width) {
        return false; // too many columns
      }
      starts[c] = ++i;
    }
    if (c != width - 1) {
      return false;
    }
    starts[width] = n + 1;
    for (int k = 0; k < buffers.length; k++) {
      buffers[k].position(buffers[k].position() + rowBytes[k]);
    }
    return true;
  }

  /**
   * Parses the value that starts at {@code from} and writes it at {@code at}.
   *
   * @return where it ends (its comma, or {@code n}), or -1 if it is not a number
   */
  private static int value(byte[] text, int from, int n, ByteBuffer b, int at, boolean fp32) {
    int i = from;
    // As ValueParser: surrounding blanks do not count (String.trim's rule: up to U+0020; the
    // bytes of other characters are negative, never blanks).
    while (i < n && text[i] >= 0 && text[i] <= ' ') {
      i++;
    }
    boolean negative = false;
    if (i < n && (text[i] == '-' || text[i] == '+')) {
      negative = text[i] == '-';
      i++;
    }
    long digitsValue = 0;
    int digits = 0;
    int fractionDigits = -1; // -1: no decimal point seen
    for (; i < n; i++) {
      int d = text[i] - '0';
      if (d >= 0 && d <= 9) {
        digitsValue = digitsValue * 10 + d; // overflows only past 18 digits: not used then
        digits++;
        if (fractionDigits >= 0) {
          fractionDigits++;
        }
      } else if (text[i] == '.' && fractionDigits < 0) {
        fractionDigits = 0;
      } else {
        break;
      }
    }
    while (i < n && text[i] >= 0 && text[i] <= ' ') {
      i++;
    }
    if ((i < n && text[i] != ',') || digits == 0 || digits > DecimalText.maxDigits()) {
      return slowValue(text, from, n, b, at, fp32);
    }
    int scale = Math.max(fractionDigits, 0);
    if (fp32) {
      float f = DecimalText.scaledFloat(digitsValue, scale, negative);
      if (f != f) {
        return slowValue(text, from, n, b, at, fp32); // a float midpoint: Float.parseFloat's turn
      }
      b.putFloat(at, f);
    } else {
      b.putDouble(at, DecimalText.scaled(digitsValue, scale, negative));
    }
    return i;
  }

  /**
   * Parses the integer that starts at {@code from} and writes it at {@code at} in {@code type}'s
   * width, as {@code Long.parseLong} of the trimmed text would give it.
   *
   * @return where it ends (its comma, or {@code n}), or -1 if it is not an integer of at most 18
   *     ASCII digits in {@code type}'s range
   */
  private static int integer(byte[] text, int from, int n, ByteBuffer b, int at, DataType type) {
    int i = skipBlanks(text, from, n);
    boolean negative = false;
    if (i < n && (text[i] == '-' || text[i] == '+')) {
      negative = text[i] == '-';
      i++;
    }
    long value = 0;
    int digits = 0;
    for (; i < n; i++) {
      int d = text[i] - '0';
      if (d < 0 || d > 9) {
        break;
      }
      value = value * 10 + d; // 18 digits never overflow; more are refused below
      digits++;
    }
    i = skipBlanks(text, i, n);
    if ((i < n && text[i] != ',') || digits == 0 || digits > 18) {
      return -1;
    }
    if (negative) {
      value = -value;
    }
    if (!type.holdsInteger(value)) {
      return -1;
    }
    switch (type.byteSize()) {
      case 1 -> b.put(at, (byte) value);
      case 2 -> b.putShort(at, (short) value);
      case 4 -> b.putInt(at, (int) value);
      default -> b.putLong(at, value);
    }
    return i;
  }

  /**
   * Parses the BOOL that starts at {@code from} ({@code true}, {@code false} in any case, {@code
   * 1}, {@code 0}) and writes it at {@code at} as one byte.
   *
   * @return where it ends (its comma, or {@code n}), or -1 if it is none of those
   */
  private static int bool(byte[] text, int from, int n, ByteBuffer b, int at) {
    int i = skipBlanks(text, from, n);
    int end = i;
    while (end < n && text[end] != ',' && (text[end] < 0 || text[end] > ' ')) {
      end++;
    }
    int value;
    if (matches(text, i, end, "1") || matches(text, i, end, "true")) {
      value = 1;
    } else if (matches(text, i, end, "0") || matches(text, i, end, "false")) {
      value = 0;
    } else {
      return -1;
    }
    i = skipBlanks(text, end, n);
    if (i < n && text[i] != ',') {
      return -1;
    }
    b.put(at, (byte) value);
    return i;
  }

  /** Whether {@code text[from, to)} is {@code word} (lower-case ASCII) in any case. */
  private static boolean matches(byte[] text, int from, int to, String word) {
    if (to - from != word.length()) {
      return false;
    }
    for (int j = 0; j < word.length(); j++) {
      int c = text[from + j];
      if (c >= 'A' && c <= 'Z') {
        c += 'a' - 'A';
      }
      if (c != word.charAt(j)) {
        return false;
      }
    }
    return true;
  }

  /** The first position from {@code i} that is not a blank (String.trim's: up to U+0020). */
  private static int skipBlanks(byte[] text, int i, int n) {
    while (i < n && text[i] >= 0 && text[i] <= ' ') {
      i++;
    }
    return i;
  }

  /** {@link #value} for any text: exponents, many digits, NaN, errors. */
  private static int slowValue(byte[] text, int from, int n, ByteBuffer b, int at, boolean fp32) {
    int end = from;
    while (end < n && text[end] != ',') {
      end++;
    }
    int to = end;
    while (from < to && text[from] >= 0 && text[from] <= ' ') {
      from++;
    }
    while (to > from && text[to - 1] >= 0 && text[to - 1] <= ' ') {
      to--;
    }
    try {
      if (fp32) {
        b.putFloat(at, DecimalText.parseFloat(text, from, to));
      } else {
        b.putDouble(at, DecimalText.parse(text, from, to));
      }
    } catch (NumberFormatException e) {
      return -1;
    }
    return end;
  }
}
