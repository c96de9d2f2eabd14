package io.ringserve.pipeline.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringserve.pipeline.OutputRecords;
import io.ringserve.pipeline.RecordSink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Output records to a Kafka topic, one JSON object per Kafka record, keyed by the {@code --id}
 * field when there is one (so that a key's predictions stay in order on one partition).
 *
 * <p>At-least-once: an idempotent producer with {@code acks=all}; {@link #flush} returns once every
 * record written is acknowledged by the brokers, or throws if one was not.
 *
 * <p>Exactly-once: a transactional producer. Outputs are written inside a transaction; {@link
 * #flush} adds the consumed offsets of the records written (from the {@link OffsetLedger}) to the
 * transaction and commits it, so outputs and offsets become visible together or not at all. A
 * transaction that fails is aborted and the run stops: a restarted scorer continues from the last
 * committed offsets, and a {@code read_committed} consumer never sees the aborted outputs. A scorer
 * restarted with the same transactional id aborts its killed predecessor's open transaction at
 * once; with another id that transaction ends at the transaction timeout. When partitions move (see
 * {@link OffsetLedger#voidInFlight}) the open transaction is aborted and the records in flight are
 * re-read, so that the partitions' new owner and this scorer never both commit one.
 *
 * <p>Used by one thread. Memory: the producer's buffer ({@code buffer.memory}).
 */
public final class KafkaSink implements RecordSink {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KafkaUri uri;
  private final String keyField;
  private final KafkaProducer<byte[], byte[]> producer;
  private final OffsetLedger transactionOffsets; // null: at-least-once
  private final Supplier<ConsumerGroupMetadata> group;
  private volatile Exception sendError;
  private boolean inTransaction;
  // Bumped when a transaction is aborted: its sends then fail (TransactionAbortedException) in
  // callbacks that run later, and those failures are no error of the run, whose voided records
  // are re-read.
  private volatile long transactionEpoch;
  // Outputs written in the open transaction, and how many of them are error records.
  private long pendingRecords;
  private long pendingErrors;
  // Outputs that were written and will never be visible (aborted, or voided before sending).
  private volatile long discardedRecords;
  private volatile long discardedErrors;

  private KafkaSink(
      KafkaUri uri,
      String keyField,
      Properties p,
      OffsetLedger transactionOffsets,
      Supplier<ConsumerGroupMetadata> group) {
    this.uri = uri;
    this.keyField = keyField;
    this.transactionOffsets = transactionOffsets;
    this.group = group;
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** An at-least-once sink. */
  public static KafkaSink atLeastOnce(KafkaUri uri, String keyField, Map<String, String> extra) {
    return new KafkaSink(uri, keyField, properties(uri, extra), null, null);
  }

  /**
   * An exactly-once sink whose transactions carry the offsets of {@code ledger}, committed under
   * {@code group}'s membership.
   *
   * @throws IOException if the producer cannot register its transactional id
   */
  public static KafkaSink exactlyOnce(
      KafkaUri uri,
      String keyField,
      Map<String, String> extra,
      String transactionalId,
      OffsetLedger ledger,
      Supplier<ConsumerGroupMetadata> group)
      throws IOException {
    Properties p = properties(uri, extra);
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    KafkaSink sink = new KafkaSink(uri, keyField, p, ledger, group);
    try {
      // Fences an earlier producer with this id and aborts its open transaction.
      sink.producer.initTransactions();
    } catch (KafkaException e) {
      sink.producer.close(Duration.ZERO);
      throw new IOException(
          "cannot start transactions on "
              + uri
              + " as '"
              + transactionalId
              + "': "
              + e.getMessage(),
          e);
    }
    return sink;
  }

  private static Properties properties(KafkaUri uri, Map<String, String> extra) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, uri.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "ringserve-score");
    p.putAll(extra);
    return p;
  }

  @Override
  public void write(ObjectNode record) throws IOException {
    if (sendError != null) {
      throw new IOException("Kafka refused an output record: " + sendError.getMessage(), sendError);
    }
    byte[] key = null;
    if (keyField != null) {
      JsonNode k = record.get(keyField);
      if (k != null && !k.isNull()) {
        key = k.asText().getBytes(StandardCharsets.UTF_8);
      }
    }
    try {
      if (transactionOffsets != null) {
        synchronized (transactionOffsets) {
          if (transactionOffsets.takeAbortRequest() && inTransaction) {
            abortQuietly(new KafkaException("rebalance"));
          }
          if (!transactionOffsets.written()) {
            // Its record is re-read after a rebalance: this output does not count.
            discard(1, isError(record) ? 1 : 0);
            return;
          }
        }
        if (!inTransaction) {
          producer.beginTransaction();
          inTransaction = true;
        }
        pendingRecords++;
        if (isError(record)) {
          pendingErrors++;
        }
      }
      long epoch = transactionEpoch;
      producer.send(
          new ProducerRecord<>(uri.topic(), key, JSON.writeValueAsBytes(record)),
          (metadata, e) -> {
            if (e != null && sendError == null && epoch == transactionEpoch) {
              sendError = e;
            }
          });
    } catch (KafkaException e) {
      throw new IOException("writing to " + uri + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public long flush() throws IOException {
    if (transactionOffsets == null) {
      try {
        producer.flush();
      } catch (KafkaException e) {
        throw new IOException("writing to " + uri + " failed: " + e.getMessage(), e);
      }
      if (sendError != null) {
        throw new IOException(
            "Kafka did not acknowledge an output record: " + sendError.getMessage(), sendError);
      }
      return -1;
    }
    // Under the ledger's lock: a rebalance voids either this whole transaction or nothing of it.
    synchronized (transactionOffsets) {
      if (transactionOffsets.takeAbortRequest()) {
        if (inTransaction) {
          abortQuietly(new KafkaException("rebalance"));
        }
        return -1;
      }
      if (!inTransaction) {
        return -1;
      }
      commit();
    }
    return -1;
  }

  private void commit() throws IOException {
    try {
      Map<TopicPartition, OffsetAndMetadata> offsets = transactionOffsets.takeWritten();
      if (!offsets.isEmpty()) {
        producer.sendOffsetsToTransaction(offsets, group.get());
      }
      producer.commitTransaction();
      inTransaction = false;
      pendingRecords = 0;
      pendingErrors = 0;
    } catch (KafkaException e) {
      abortQuietly(e);
      throw new IOException(
          "the transaction on "
              + uri
              + " failed and was aborted ("
              + e.getMessage()
              + "); a restarted scorer continues from the last committed offsets",
          e);
    }
  }

  private void abortQuietly(KafkaException cause) {
    inTransaction = false;
    transactionEpoch++;
    discard(pendingRecords, pendingErrors);
    pendingRecords = 0;
    pendingErrors = 0;
    if (cause instanceof ProducerFencedException) {
      return; // another producer took over the id: nothing of ours can be aborted
    }
    try {
      producer.abortTransaction();
    } catch (KafkaException e) {
      cause.addSuppressed(e);
    }
  }

  private static boolean isError(ObjectNode record) {
    return record.has(OutputRecords.ERROR_FIELD);
  }

  private void discard(long records, long errors) {
    // One writer thread: read-modify-write of a volatile is safe here.
    discardedRecords += records;
    discardedErrors += errors;
  }

  /**
   * Exactly-once: outputs written and then dropped with an aborted transaction, or skipped because
   * a rebalance voided their records; those records are scored again, by this scorer or another.
   */
  @Override
  public long discardedRecords() {
    return discardedRecords;
  }

  @Override
  public long discardedErrors() {
    return discardedErrors;
  }

  @Override
  public String describe() {
    return uri + (transactionOffsets != null ? " (exactly-once)" : "");
  }

  @Override
  public void close() throws IOException {
    try {
      if (inTransaction) {
        // The run stopped before its last commit: nothing of it may become visible.
        abortQuietly(new KafkaException("closed"));
      }
    } finally {
      producer.close(Duration.ofSeconds(30));
    }
  }
}
