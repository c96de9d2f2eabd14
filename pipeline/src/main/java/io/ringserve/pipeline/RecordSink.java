package io.ringserve.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringserve.batching.Tensor;
import java.io.IOException;
import java.util.List;

/**
 * Where output records go, in the order written.
 *
 * <p>Used by one thread.
 */
public interface RecordSink extends AutoCloseable {

  /** Writes one output record (buffered). */
  void write(ObjectNode record) throws IOException;

  /**
   * Writes the prediction for row {@code row} of {@code result}, the record {@link
   * OutputRecords#prediction} builds (which a sink may write without building it).
   */
  default void writePrediction(
      OutputRecords outputs, SourceRecord in, List<Tensor> result, long row, boolean batched)
      throws IOException {
    write(outputs.prediction(in, result, row, batched));
  }

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
