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
 * <p>Exactly-once after a rebalance: {@link #voidInFlight} drops every record in flight (the source
 * re-reads them from the committed offsets) and asks the sink to abort its transaction; the sink
 * skips the outputs of those records ({@link #written} returns false). The sink commits under this
 * object's lock, so a commit happens either wholly before a rebalance or not at all.
 *
 * <p>Thread-safe: the reader and the writer thread share it. Memory: one entry per record in
 * flight, bounded by the run's in-flight limit.
 */
public final class OffsetLedger {
  private record Handed(TopicPartition partition, long offset) {}

  private final ArrayDeque<Handed> handed = new ArrayDeque<>();
  private final Map<TopicPartition, OffsetAndMetadata> written = new HashMap<>();
  private final Map<TopicPartition, OffsetAndMetadata> acknowledged = new HashMap<>();
  private long voided; // the oldest records handed out whose outputs are to be dropped
  private boolean abortRequested;

  /** Reader thread: the record at {@code offset} of {@code partition} goes into the run. */
  public synchronized void handedOut(TopicPartition partition, long offset) {
    handed.add(new Handed(partition, offset));
  }

  /**
   * Writer thread: the output of the oldest record handed out is being written (not yet durable).
   *
   * @return false if that record was voided by a rebalance: its output must not be written
   */
  public synchronized boolean written() {
    Handed h = handed.poll();
    if (h == null) {
      throw new IllegalStateException("an output was written for no record handed out");
    }
    if (voided > 0) {
      voided--;
      return false;
    }
    // Kafka commits the offset of the next record to read.
    written.put(h.partition(), new OffsetAndMetadata(h.offset() + 1));
    return true;
  }

  /**
   * Reader thread, exactly-once, when partitions move: the records in flight and the outputs not
   * yet committed are void; the open transaction must be aborted.
   */
  public synchronized void voidInFlight() {
    voided = handed.size();
    written.clear();
    abortRequested = true;
  }

  /** Writer thread: whether the open transaction must be aborted (once per request). */
  public synchronized boolean takeAbortRequest() {
    boolean r = abortRequested;
    abortRequested = false;
    return r;
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
