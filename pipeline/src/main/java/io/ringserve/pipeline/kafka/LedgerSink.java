package io.ringserve.pipeline.kafka;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringserve.pipeline.RecordSink;
import java.io.IOException;

/**
 * At-least-once for a Kafka source: passes output records to any sink and, each time that sink's
 * {@link #flush} returns (its outputs are durable or acknowledged), lets the source commit the
 * offsets of the records whose outputs were written. A kill between a flush and a commit scores
 * those records again; no record is ever committed before its output is acknowledged.
 *
 * <p>Used by one thread (the run's writer).
 */
public final class LedgerSink implements RecordSink {
  private final RecordSink inner;
  private final OffsetLedger ledger;

  public LedgerSink(RecordSink inner, OffsetLedger ledger) {
    this.inner = inner;
    this.ledger = ledger;
  }

  @Override
  public void write(ObjectNode record) throws IOException {
    ledger.written(); // at-least-once never voids records
    inner.write(record);
  }

  @Override
  public long flush() throws IOException {
    // Taken before the flush: only what the flush covers is acknowledged.
    var offsets = ledger.takeWritten();
    long bytes = inner.flush();
    ledger.acknowledge(offsets);
    return bytes;
  }

  @Override
  public long discardedRecords() {
    return inner.discardedRecords();
  }

  @Override
  public long discardedErrors() {
    return inner.discardedErrors();
  }

  @Override
  public String describe() {
    return inner.describe();
  }

  @Override
  public void close() throws IOException {
    inner.close();
  }
}
