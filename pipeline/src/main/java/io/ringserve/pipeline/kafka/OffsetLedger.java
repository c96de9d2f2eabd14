package io.ringserve.pipeline.kafka;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which consumed offsets may be committed: those whose output record is written and acknowledged.
 *
 * <p>The run hands records out in order and writes exactly one output record per record, in the
 * same order, so the n-th output written belongs to the n-th record handed out. The source notes
 * each record it hands out ({@link #handedOut}); the sink notes each output written ({@link
 * #written}) and, once the outputs are acknowledged (a file flushed, a producer's sends
 * acknowledged, a transaction that carries the offsets), passes them on ({@link #acknowledge}); the
 * source commits what is acknowledged ({@link #takeAcknowledged}) from its own thread, since a
 * Kafka consumer is used by one thread.
 *
 * <p>Thread-safe: the reader and the writer thread share it. Memory: one entry per record in
 * flight, bounded by the run's in-flight limit.
 */
public final class OffsetLedger {
  private record Handed(TopicPartition partition, long offset) {}

  private final ArrayDeque<Handed> handed = new ArrayDeque<>();
  private final Map<TopicPartition, OffsetAndMetadata> written = new HashMap<>();
  private final Map<TopicPartition, OffsetAndMetadata> acknowledged = new HashMap<>();

  /** Reader thread: the record at {@code offset} of {@code partition} goes into the run. */
  public synchronized void handedOut(TopicPartition partition, long offset) {
    handed.add(new Handed(partition, offset));
  }

  /** Writer thread: the output of the oldest record handed out is written (not yet durable). */
  public synchronized void written() {
    Handed h = handed.poll();
    if (h == null) {
      throw new IllegalStateException("an output was written for no record handed out");
    }
    // Kafka commits the offset of the next record to read.
    written.put(h.partition(), new OffsetAndMetadata(h.offset() + 1));
  }

  /** Writer thread: the offsets after every output written so far, and forgets them. */
  public synchronized Map<TopicPartition, OffsetAndMetadata> takeWritten() {
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>(written);
    written.clear();
    return out;
  }

  /** Writer thread: these offsets' outputs are acknowledged; the source may commit them. */
  public synchronized void acknowledge(Map<TopicPartition, OffsetAndMetadata> offsets) {
    acknowledged.putAll(offsets);
  }

  /** Reader thread: the offsets to commit now, and forgets them. */
  public synchronized Map<TopicPartition, OffsetAndMetadata> takeAcknowledged() {
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>(acknowledged);
    acknowledged.clear();
    return out;
  }
}
