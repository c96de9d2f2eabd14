package io.ringserve.pipeline;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * One CSV record with no quote character in it, as its text: the reading thread only finds where
 * records end; the columns are split (and, for numeric inputs, parsed straight into the request's
 * buffer by {@link BatchMapper}) on a mapping thread. Records with quotes are parsed by the CSV
 * library on the reading thread instead, so this class never needs the quoting rules.
 *
 * <p>Immutable and thread-safe.
 *
 * @param text the record without its line break; contains no {@code "}
 * @param header the file's column names (the same list for every row of one file)
 */
public record CsvRow(String text, List<String> header) implements SourceRecord.RecordText {

  /**
   * Where each column starts in {@link #text}, plus one past the end of the row: column {@code c}
   * is {@code text[starts[c], starts[c + 1] - 1)}.
   *
   * @return false if the row does not have {@code starts.length - 1} columns
   */
  boolean columnStarts(int[] starts) {
    int columns = starts.length - 1;
    int c = 0;
    starts[0] = 0;
    int n = text.length();
    for (int i = 0; i < n; i++) {
      if (text.charAt(i) == ',') {
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
      fields.put(header.get(c), text.substring(starts[c], starts[c + 1] - 1));
    }
    return SourceRecord.of(position, fields);
  }

  private int width() {
    int commas = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == ',') {
        commas++;
      }
    }
    return commas + 1;
  }
}
