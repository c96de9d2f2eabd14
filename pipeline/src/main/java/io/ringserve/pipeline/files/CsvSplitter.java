package io.ringserve.pipeline.files;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Finds where CSV records end, by the rules of commons-csv's {@code CSVFormat.DEFAULT}: a record
 * ends at a line break ({@code \n}, {@code \r\n} or {@code \r}) outside quotes; a quote opens a
 * quoted value only at the start of a value, and inside one {@code ""} is a quote. Empty lines are
 * skipped (and counted). The records themselves are not parsed: one reading thread only cuts the
 * text, and the mapping threads split and parse the columns.
 *
 * <p>Works on the UTF-8 bytes, never decoded here: the bytes of a comma, a quote and a line break
 * never occur inside another character.
 *
 * <p>Outside quotes, eight bytes at a time are checked for a line break or a quote (the only bytes
 * that matter there) and skipped when they hold none: a 784-column {@code mlp} row is some 5 KB,
 * and this thread is the one that every record passes through.
 *
 * <p>Used by one thread.
 */
final class CsvSplitter {
  /** A record's bytes (without its line break), the line it starts on, whether it has a quote. */
  record Text(byte[] bytes, long line, boolean quoted) {
    String text() {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  // A quoted value left open runs to the end of the file: past this, the file is malformed.
  private static final int MAX_RECORD_BYTES = 64 << 20;

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;

  private final InputStream in;
  private final byte[] buf = new byte[1 << 16];
  private byte[] pending = new byte[1 << 14]; // a record that spans reads
  private int pendingLength;
  private int pos;
  private int limit;
  private long line = 1; // the line the next character is on
  private boolean afterCr; // the last line break was \r: a \n next belongs to it

  CsvSplitter(InputStream in) {
    this.in = in;
  }

  /**
   * The next non-empty record, or {@code null} at the end.
   *
   * @throws IOException if reading fails, or a record (an open quote) grows past 64 MiB
   */
  Text next() throws IOException {
    boolean inQuotes = false;
    boolean quoteSeen = false; // in quotes, the last character was a quote
    boolean fieldStart = true;
    boolean quoted = false;
    long startLine = line;
    pendingLength = 0;
    while (true) {
      if (pos == limit) {
        if (!fill()) {
          if (pendingLength == 0 && !quoted) {
            return null;
          }
          return new Text(Arrays.copyOf(pending, pendingLength), startLine, quoted);
        }
      }
      int segment = pos;
      while (pos < limit) {
        if (!inQuotes && !afterCr) {
          int from = pos;
          pos = skipPlain(pos);
          if (pos != from) {
            fieldStart = buf[pos - 1] == ',';
            if (pos == limit) {
              break;
            }
          }
        }
        byte c = buf[pos];
        if (afterCr) {
          afterCr = false;
          if (c == '\n') {
            pos++;
            if (!inQuotes) {
              segment = pos; // the \n of a \r\n that ended a line: not part of any record
            }
            continue; // in quotes, part of the value; its line was counted at the \r
          }
        }
        if (inQuotes) {
          if (quoteSeen) {
            quoteSeen = false;
            if (c == '"') {
              pos++;
              continue; // "" is a quote; still quoted
            }
            inQuotes = false; // the quote closed the value: c is outside quotes
          } else {
            if (c == '"') {
              quoteSeen = true;
            } else if (c == '\n' || c == '\r') {
              line++;
              afterCr = c == '\r';
            }
            pos++;
            continue;
          }
        }
        if (c == '\n' || c == '\r') {
          byte[] record;
          if (pendingLength == 0) {
            record = Arrays.copyOfRange(buf, segment, pos); // the whole record in this read
          } else {
            append(segment, pos);
            record = Arrays.copyOf(pending, pendingLength);
          }
          pos++;
          line++;
          afterCr = c == '\r';
          if (record.length == 0 && !quoted) {
            startLine = line; // an empty line: skipped, as the CSV library does
            segment = pos;
            fieldStart = true;
            continue;
          }
          return new Text(record, startLine, quoted);
        }
        if (c == '"') {
          quoted = true;
          inQuotes = fieldStart;
          fieldStart = false;
        } else {
          fieldStart = c == ',';
        }
        pos++;
      }
      append(segment, pos);
    }
  }

  /**
   * The first position from {@code from} in steps of eight bytes whose next eight bytes may hold a
   * line break or a quote; the bytes skipped hold none.
   */
  private int skipPlain(int from) {
    int p = from;
    while (p <= limit - 8 && !special((long) LONGS.get(buf, p))) {
      p += 8;
    }
    return p;
  }

  /** Whether one of the eight bytes of {@code w} is {@code \n}, {@code \r} or {@code "}. */
  private static boolean special(long w) {
    return (zeroByte(w ^ (ONES * '\n')) | zeroByte(w ^ (ONES * '\r')) | zeroByte(w ^ (ONES * '"')))
        != 0;
  }

  /** Non-zero exactly when a byte of {@code v} is zero. */
  private static long zeroByte(long v) {
    return (v - ONES) & ~v & HIGHS;
  }

  private void append(int from, int to) throws IOException {
    int n = to - from;
    if (pendingLength + n > MAX_RECORD_BYTES) {
      throw new IOException(
          "a record runs past " + (MAX_RECORD_BYTES >> 20) + " MiB (a quote left open?)");
    }
    if (pendingLength + n > pending.length) {
      pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + n));
    }
    System.arraycopy(buf, from, pending, pendingLength, n);
    pendingLength += n;
  }

  private boolean fill() throws IOException {
    int n = in.read(buf, 0, buf.length);
    if (n <= 0) {
      return false;
    }
    pos = 0;
    limit = n;
    return true;
  }
}
