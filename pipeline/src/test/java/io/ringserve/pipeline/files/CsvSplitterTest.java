package io.ringserve.pipeline.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

class CsvSplitterTest {
  // Every way a record can end, quoted line breaks, escaped quotes, a literal quote inside a
  // value, empty lines, and no line break at the end.
  private static final String TRICKY =
      "a,b\n1,2\r\n\nü,€\n\n3,\"x\ny\"\r4,\"q\"\"r\"\n5,ab\"c\n\r\n\n\"6\r\n7\",8\n9,\"\"";

  @Test
  void cutsRecordsWhereTheCsvLibraryDoes() throws IOException {
    assertEquals(library(TRICKY), splitThenParse(utf8(TRICKY)));
  }

  @Test
  void aRecordOrALineBreakAcrossReadsIsCutTheSame() throws IOException {
    assertEquals(library(TRICKY), splitThenParse(new OneByteAtATime(TRICKY)));
  }

  @Test
  void recordsStartOnTheLineTheFileShows() throws IOException {
    CsvSplitter s = new CsvSplitter(utf8(TRICKY));
    List<Long> lines = new ArrayList<>();
    for (CsvSplitter.Text t; (t = s.next()) != null; ) {
      lines.add(t.line());
    }
    assertEquals(List.of(1L, 2L, 4L, 6L, 8L, 9L, 12L, 14L), lines);
  }

  @Test
  void onlyRecordsWithAQuoteAreMarkedQuoted() throws IOException {
    CsvSplitter s = new CsvSplitter(utf8("a,b\n1,2\n3,\"4\"\n"));
    assertFalse(s.next().quoted());
    CsvSplitter.Text plain = s.next();
    assertEquals("1,2", plain.text());
    assertFalse(plain.quoted());
    assertTrue(s.next().quoted());
    assertNull(s.next());
  }

  @Test
  void aRecordLongerThanTheBufferComesWhole() throws IOException {
    StringBuilder row = new StringBuilder();
    for (int i = 0; i < 30_000; i++) {
      row.append(i).append(',');
    }
    row.append("end");
    CsvSplitter s = new CsvSplitter(utf8("h\r\n" + row + "\r\nlast"));
    assertEquals("h", s.next().text());
    assertEquals(row.toString(), s.next().text());
    assertEquals("last", s.next().text());
    assertNull(s.next());
  }

  @Test
  void aQuoteLeftOpenRunsToTheEndAndIsHandedToTheLibraryToReject() throws IOException {
    CsvSplitter s = new CsvSplitter(utf8("a\n\"open\n1\n2\n"));
    s.next();
    CsvSplitter.Text rest = s.next();
    assertEquals("\"open\n1\n2\n", rest.text());
    assertTrue(rest.quoted());
    assertNull(s.next());
  }

  /**
   * Random valid CSV with long plain runs (the splitter skips those eight bytes at a time) between
   * quotes, quoted line breaks and every kind of line break, read whole and in random-sized reads.
   */
  @Test
  void randomFilesAreCutWhereTheCsvLibraryCutsThem() throws IOException {
    SplittableRandom random = new SplittableRandom(41);
    for (int file = 0; file < 300; file++) {
      String text = randomCsv(random);
      List<List<String>> expected = library(text);
      assertEquals(expected, splitThenParse(utf8(text)), text);
      assertEquals(
          expected, splitThenParse(new RandomReads(text, random.split())), "in pieces: " + text);
    }
  }

  private static String randomCsv(SplittableRandom random) {
    String plain = "abcxyz0123456789.-ü€";
    String[] breaks = {"\n", "\r\n", "\r"};
    StringBuilder s = new StringBuilder();
    int records = random.nextInt(1, 30);
    for (int r = 0; r < records; r++) {
      int fields = random.nextInt(1, 8);
      for (int f = 0; f < fields; f++) {
        if (f > 0) {
          s.append(',');
        }
        if (random.nextInt(5) == 0) {
          s.append('"');
          for (int i = random.nextInt(0, 40); i > 0; i--) {
            int k = random.nextInt(12);
            s.append(
                k == 0
                    ? "\"\""
                    : k == 1
                        ? breaks[random.nextInt(3)]
                        : k == 2 ? "," : "" + plain.charAt(random.nextInt(plain.length())));
          }
          s.append('"');
        } else {
          int n = random.nextInt(0, 60);
          for (int i = 0; i < n; i++) {
            // A quote inside a plain value (not at its start) is a character like any other.
            s.append(
                i > 0 && random.nextInt(40) == 0
                    ? '"'
                    : plain.charAt(random.nextInt(plain.length())));
          }
        }
      }
      if (r < records - 1 || random.nextBoolean()) {
        s.append(breaks[random.nextInt(3)]);
        if (random.nextInt(8) == 0) {
          s.append(breaks[random.nextInt(3)]); // an empty line
        }
      }
    }
    return s.toString();
  }

  private static List<List<String>> library(String text) throws IOException {
    List<List<String>> out = new ArrayList<>();
    try (CSVParser p = CSVFormat.DEFAULT.parse(new StringReader(text))) {
      for (CSVRecord r : p) {
        out.add(r.toList());
      }
    }
    return out;
  }

  private static List<List<String>> splitThenParse(InputStream in) throws IOException {
    List<List<String>> out = new ArrayList<>();
    CsvSplitter s = new CsvSplitter(in);
    for (CsvSplitter.Text t; (t = s.next()) != null; ) {
      List<List<String>> one = library(t.text());
      assertEquals(1, one.size(), t.text());
      out.add(one.get(0));
    }
    return out;
  }

  private static InputStream utf8(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }

  /** A stream that returns 1 to 20 bytes per read, at random. */
  private static final class RandomReads extends InputStream {
    private final byte[] bytes;
    private final SplittableRandom random;
    private int at;

    RandomReads(String text, SplittableRandom random) {
      this.bytes = text.getBytes(StandardCharsets.UTF_8);
      this.random = random;
    }

    @Override
    public int read() {
      return at == bytes.length ? -1 : bytes[at++] & 0xFF;
    }

    @Override
    public int read(byte[] buf, int off, int len) {
      if (at == bytes.length) {
        return -1;
      }
      int n = Math.min(Math.min(len, random.nextInt(1, 21)), bytes.length - at);
      System.arraycopy(bytes, at, buf, off, n);
      at += n;
      return n;
    }
  }

  /** A stream that returns one byte per read, so that every boundary falls between reads. */
  private static final class OneByteAtATime extends InputStream {
    private final byte[] bytes;
    private int at;

    OneByteAtATime(String text) {
      this.bytes = text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public int read() {
      return at == bytes.length ? -1 : bytes[at++] & 0xFF;
    }

    @Override
    public int read(byte[] buf, int off, int len) {
      if (at == bytes.length) {
        return -1;
      }
      buf[off] = bytes[at++];
      return 1;
    }
  }
}
