package io.ringserve.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One input record: its fields, where it came from ({@code transactions.csv:7}, {@code stdin:3},
 * {@code topic/partition/offset}) for error records, and, when it could not be read, what was wrong
 * instead of fields.
 *
 * <p>A source may hand a record over still as text ({@link #deferred}): parsing it is then left to
 * the run's mapping threads, so that one reading thread only splits the input into records.
 *
 * @param position where the record is, as an error record names it
 * @param fields the record's fields in source order; CSV values are strings; {@code null} when
 *     {@code readError} is set or the record is still text
 * @param readError why the record could not be read (malformed JSON, a CSV row of the wrong width),
 *     or {@code null}
 * @param text the record's text, to be parsed, or {@code null} when it is parsed
 */
public record SourceRecord(String position, ObjectNode fields, String readError, RecordText text) {

  /** A record read but not yet parsed; parsing happens on whichever thread needs its fields. */
  public interface RecordText {
    /** The record parsed: its fields, or unreadable with why. */
    SourceRecord parse(String position);
  }

  /** A record that was read. */
  public static SourceRecord of(String position, ObjectNode fields) {
    return new SourceRecord(position, fields, null, null);
  }

  /** A record that could not be read, and why. */
  public static SourceRecord unreadable(String position, String readError) {
    return new SourceRecord(position, null, readError, null);
  }

  /** A record read as text, parsed later by {@link #parsed}. */
  public static SourceRecord deferred(String position, RecordText text) {
    return new SourceRecord(position, null, null, text);
  }

  /** This record with its text parsed (itself when it is parsed already). */
  public SourceRecord parsed() {
    return text == null ? this : text.parse(position);
  }
}
