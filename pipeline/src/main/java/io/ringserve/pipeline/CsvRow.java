package io.ringserve.pipeline;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One CSV record with no quote character in it, as its UTF-8 bytes: the reading thread only finds
 * where records end; the columns are split (and, for numeric inputs, parsed straight into the
 * request's buffer by {@link BatchMapper}) on a mapping thread. Records with quotes are parsed by
 * the CSV library on the reading thread instead, so this class never needs the quoting rules.
 * Splitting bytes is safe in UTF-8: a comma's byte never occurs inside another character.
 *
 * <p>Immutable (the bytes are never changed) and thread-safe.
 *
 * @param bytes the record without its line break, UTF-8; contains no {@code "}
 * @param header the file's column names (the same list for every row of one file)
 */
public record CsvRow(byte[] bytes, List<String> header) implements SourceRecord.RecordText {

  /**
   * Where each column starts in {@link #bytes}, plus one past the end of the row: column {@code c}
   * is {@code bytes[starts[c], starts[c + 1] - 1)}.
   *
   * @return false if the row does not have {@code starts.length - 1} columns
   */
  boolean columnStarts(int[] starts) {
    int columns = starts.length - 1;
    int c = 0;
    starts[0] = 0;
    int n = bytes.length;
    for (int i = 0; i < n; i++) {
      if (bytes[i] == ',') {
        if (++c >= columns) {
          return false;
        }
        starts[c] = i + 1;
      }
    }
    if (c != columns - 1) {
      return false;
    }
    starts[columns] = n + 1;
    return true;
  }

  /** Column {@code c}'s text, given {@link #columnStarts}. */
  String column(int[] starts, int c) {
    return new String(bytes, starts[c], starts[c + 1] - 1 - starts[c], StandardCharsets.UTF_8);
  }

  /** The row's columns as string fields by header name, or unreadable if its width is wrong. */
  @Override
  public SourceRecord parse(String position) {
    int[] starts = new int[header.size() + 1];
    if (!columnStarts(starts)) {
      return SourceRecord.unreadable(
          position, "malformed CSV row: " + width() + " values for " + header.size() + " columns");
    }
    ObjectNode fields = JsonNodeFactory.instance.objectNode();
    for (int c = 0; c < header.size(); c++) {
      fields.put(header.get(c), column(starts, c));
    }
    return SourceRecord.of(position, fields);
  }

  private int width() {
    int commas = 0;
    for (byte b : bytes) {
      if (b == ',') {
        commas++;
      }
    }
    return commas + 1;
  }
}
