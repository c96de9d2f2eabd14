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
  private final boolean[] fp32; // per input: FP32, else FP64
  private final int[] rowBytes; // per input

  private CsvRowParser(int width, int[] input, int[] offset, boolean[] fp32, int[] rowBytes) {
    this.width = width;
    this.input = input;
    this.offset = offset;
    this.fp32 = fp32;
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
    boolean[] fp32 = new boolean[columns.length];
    int[] rowBytes = new int[columns.length];
    for (int k = 0; k < columns.length; k++) {
      DataType type = specs.get(k).dataType();
      if (type != DataType.FP32 && type != DataType.FP64) {
        throw new IllegalArgumentException("not a floating-point input: " + type);
      }
      fp32[k] = type == DataType.FP32;
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
    return new CsvRowParser(width, input, offset, fp32, rowBytes);
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
   * @return false if the row is not the header's width or has a value that is not a number
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
        i = value(text, i, n, b, b.position() + offset[c], fp32[k]);
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
