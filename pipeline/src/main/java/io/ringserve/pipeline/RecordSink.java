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

  /** What is written, for logs and checkpoints. */
  String describe();

  @Override
  void close() throws IOException;
}
