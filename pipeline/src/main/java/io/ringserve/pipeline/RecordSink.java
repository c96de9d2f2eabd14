package io.ringserve.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Where output records go, in the order written.
 *
 * <p>Used by one thread.
 */
public interface RecordSink extends AutoCloseable {

  /** Writes one output record (buffered). */
  void write(ObjectNode record) throws IOException;

  /**
   * Hands everything written to the operating system and returns the output's length in bytes, for
   * a checkpoint; -1 if the sink cannot be resumed (standard output).
   */
  long flush() throws IOException;

  /**
   * Output records written and then dropped, never to be visible (a Kafka transaction aborted when
   * partitions moved): their input records are read and scored again, so a run's count of records
   * done leaves them out. Any thread; 0 for sinks that never drop.
   */
  default long discardedRecords() {
    return 0;
  }

  /** Error records among {@link #discardedRecords}. Any thread. */
  default long discardedErrors() {
    return 0;
  }

  /** What is written, for logs and checkpoints. */
  String describe();

  @Override
  void close() throws IOException;
}
