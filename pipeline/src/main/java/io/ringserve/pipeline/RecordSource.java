package io.ringserve.pipeline;

import java.io.IOException;
import java.util.List;

/**
 * Where records come from, in order. A record that cannot be parsed is returned as {@link
 * SourceRecord#unreadable}, so that it still yields an output record and the run goes on.
 *
 * <p>Used by one thread.
 */
public interface RecordSource extends AutoCloseable {

  /**
   * The next record, or {@code null} at the end.
   *
   * @throws IOException if the source itself cannot be read (not a bad record)
   */
  SourceRecord next() throws IOException;

  /** The column names the source declares before any record (a CSV header), or empty. */
  List<String> columns();

  /** Bytes read so far, for progress; -1 if not known. */
  long bytesRead();

  /** Total bytes, for percentage and ETA; -1 if not known (standard input, a stream). */
  long totalBytes();

  /** What is read, for logs and checkpoints. */
  String describe();

  @Override
  void close() throws IOException;
}
