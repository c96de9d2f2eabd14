package io.ringserve.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One input record: its fields, where it came from ({@code transactions.csv:7}, {@code stdin:3},
 * {@code topic/partition/offset}) for error records, and, when it could not be read, what was wrong
 * instead of fields.
 *
 * @param position where the record is, as an error record names it
 * @param fields the record's fields in source order; CSV values are strings; {@code null} when
 *     {@code readError} is set
 * @param readError why the record could not be read (malformed JSON, a CSV row of the wrong width),
 *     or {@code null}
 */
public record SourceRecord(String position, ObjectNode fields, String readError) {

  /** A record that was read. */
  public static SourceRecord of(String position, ObjectNode fields) {
    return new SourceRecord(position, fields, null);
  }

  /** A record that could not be read, and why. */
  public static SourceRecord unreadable(String position, String readError) {
    return new SourceRecord(position, null, readError);
  }
}
