package io.ringserve.pipeline.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringserve.pipeline.RecordSource;
import io.ringserve.pipeline.SourceRecord;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Records from a Kafka topic, read as a member of a consumer group: each record's value is a JSON
 * object; one that is not becomes an unreadable record named {@code topic/partition/offset}.
 *
 * <p>Offsets are never committed automatically. In at-least-once mode this source commits, from its
 * own thread, the offsets that the {@link OffsetLedger} says have acknowledged outputs: before each
 * poll, when partitions are taken away (so that their new owner starts after what is done), and on
 * close. In exactly-once mode it commits nothing: the sink's transaction carries the offsets, using
 * {@link #groupMetadata} so that a member that lost its partitions cannot commit.
 *
 * <p>A new group starts at the earliest offset: a scoring pipeline scores what is there, not only
 * what arrives later. The source ends after {@code idleTimeout} without a new record (counted from
 * the first partition assignment), or never if it is zero.
 *
 * <p>Used by one thread (Kafka's consumer is not thread-safe); {@link #groupMetadata} may be read
 * from another. Memory: one poll's records ({@code max.poll.records}).
 */
public final class KafkaSource implements RecordSource {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration POLL = Duration.ofMillis(100);
  private static final Duration END_OFFSETS_TIMEOUT = Duration.ofSeconds(10);

  private final KafkaUri uri;
  private final String group;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final OffsetLedger ledger;
  private final boolean commits;
  private final Duration idleTimeout;
  private final PrintStream log;
  private final ArrayDeque<ConsumerRecord<byte[], byte[]>> polled = new ArrayDeque<>();
  private final Set<TopicPartition> assigned = new HashSet<>();
  private volatile ConsumerGroupMetadata groupMetadata;
  // When polls began to come back empty; 0 while records come (or since an assignment).
  private long idleSinceNanos;
  private boolean everAssigned;

  /**
   * Joins {@code group} and subscribes to {@code uri}'s topic.
   *
   * @param commits whether this source commits offsets (at-least-once); false when a transaction
   *     carries them (exactly-once)
   * @param extra further consumer properties ({@code --kafka-property}), applied last
   */
  public KafkaSource(
      KafkaUri uri,
      String group,
      OffsetLedger ledger,
      boolean commits,
      Duration idleTimeout,
      Map<String, String> extra,
      PrintStream log) {
    this.uri = uri;
    this.group = group;
    this.ledger = ledger;
    this.commits = commits;
    this.idleTimeout = idleTimeout;
    this.log = log;
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, uri.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // Records of an upstream transaction that aborted were never meant to exist.
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "ringserve-score");
    p.putAll(extra);
    this.consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(uri.topic()), new Rebalance());
    this.groupMetadata = consumer.groupMetadata();
  }

  @Override
  public SourceRecord next() throws IOException {
    while (true) {
      if (commits) {
        commit(ledger.takeAcknowledged());
      }
      ConsumerRecord<byte[], byte[]> r = polled.poll();
      if (r != null) {
        ledger.handedOut(new TopicPartition(r.topic(), r.partition()), r.offset());
        return toRecord(r);
      }
      try {
        for (ConsumerRecord<byte[], byte[]> c : consumer.poll(POLL)) {
          polled.add(c);
        }
      } catch (KafkaException e) {
        throw new IOException("polling " + uri + " failed: " + e.getMessage(), e);
      }
      groupMetadata = consumer.groupMetadata();
      // Idle time is time spent polling in vain, not time the run spent elsewhere (a slow model
      // holding the reader back). It counts from the first assignment: a member that joins while
      // a dead one still holds the partitions (until its session times out) must wait for them.
      if (!polled.isEmpty() || !everAssigned) {
        idleSinceNanos = 0;
      } else if (idleSinceNanos == 0) {
        idleSinceNanos = System.nanoTime();
      } else if (!idleTimeout.isZero()
          && System.nanoTime() - idleSinceNanos >= idleTimeout.toNanos()) {
        if (!recordsLeft()) {
          return null;
        }
        idleSinceNanos = System.nanoTime(); // a slow broker, not an empty topic: wait on
      }
    }
  }

  /**
   * Whether an assigned partition still has records this member has not read (its position is
   * before the end, the last stable offset under read_committed): polls can come back empty for a
   * while on a loaded broker, and the idle timeout means "nothing left", not "a slow fetch".
   */
  private boolean recordsLeft() {
    if (assigned.isEmpty()) {
      return false;
    }
    try {
      Map<TopicPartition, Long> ends = consumer.endOffsets(assigned, END_OFFSETS_TIMEOUT);
      for (TopicPartition tp : assigned) {
        Long end = ends.get(tp);
        if (end != null && consumer.position(tp, END_OFFSETS_TIMEOUT) < end) {
          return true;
        }
      }
      return false;
    } catch (KafkaException e) {
      // The broker cannot say: end as the idle timeout says; the group's commits keep the place.
      log.println("score: cannot read the end offsets (" + e.getMessage() + "); ending idle");
      return false;
    }
  }

  private static SourceRecord toRecord(ConsumerRecord<byte[], byte[]> r) {
    String position = r.topic() + "/" + r.partition() + "/" + r.offset();
    if (r.value() == null) {
      return SourceRecord.unreadable(position, "the record has no value (a tombstone)");
    }
    try {
      JsonNode node = JSON.readTree(r.value());
      if (node instanceof ObjectNode object) {
        return SourceRecord.of(position, object);
      }
      return SourceRecord.unreadable(
          position,
          "the value is not a JSON object (" + (node == null ? "empty" : node.getNodeType()) + ")");
    } catch (JsonProcessingException e) {
      return SourceRecord.unreadable(position, "malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      return SourceRecord.unreadable(position, "malformed JSON: " + e.getMessage());
    }
  }

  private void commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
    offsets.keySet().retainAll(assigned);
    if (offsets.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(offsets);
    } catch (CommitFailedException | RebalanceInProgressException e) {
      // The partitions moved to another member, which starts from the last commit: those
      // records are scored again (at-least-once), never lost.
      log.println("score: committing offsets failed (" + e.getMessage() + "); they are redone");
    }
  }

  /** The group membership a transaction's offsets are committed under. Any thread. */
  public ConsumerGroupMetadata groupMetadata() {
    return groupMetadata;
  }

  @Override
  public List<String> columns() {
    return List.of();
  }

  @Override
  public long bytesRead() {
    return -1;
  }

  @Override
  public long totalBytes() {
    return -1;
  }

  @Override
  public String describe() {
    return uri + " (group " + group + ")";
  }

  @Override
  public void close() throws IOException {
    try {
      if (commits) {
        commit(ledger.takeAcknowledged());
      }
    } finally {
      consumer.close(Duration.ofSeconds(30));
    }
  }

  /**
   * Exactly-once, when partitions move: the open transaction is to be aborted, so every record in
   * flight is void, and the partitions this scorer keeps are read again from their committed
   * offsets (the moved ones are their new owner's).
   */
  private void rewind(Collection<TopicPartition> moved) {
    ledger.voidInFlight();
    polled.clear();
    Set<TopicPartition> kept = new HashSet<>(assigned);
    kept.removeAll(moved);
    seekToCommitted(kept);
  }

  /**
   * Exactly-once: reads {@code partitions} again from their committed offsets. Needed for the
   * partitions kept across a rebalance and for those assigned by it: under the eager protocol every
   * partition is revoked, and one assigned back to this member keeps its position, past records
   * whose outputs the aborted transaction dropped; reading on from there would lose them.
   */
  private void seekToCommitted(Collection<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    // Waits (require_stable) until the aborted transaction's offsets are resolved.
    Map<TopicPartition, OffsetAndMetadata> committed =
        consumer.committed(new HashSet<>(partitions));
    for (TopicPartition tp : partitions) {
      OffsetAndMetadata o = committed.get(tp);
      if (o != null) {
        consumer.seek(tp, o);
      } else {
        consumer.seekToBeginning(List.of(tp));
      }
    }
  }

  /** Runs inside {@code poll}, on the reader thread. */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (commits) {
        commit(ledger.takeAcknowledged());
      } else if (!partitions.isEmpty()) {
        rewind(partitions);
      }
      assigned.removeAll(partitions);
      // Records polled and not yet handed out are the new owner's to score.
      polled.removeIf(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
      if (!partitions.isEmpty()) {
        log.println("score: partitions revoked: " + partitions);
      }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (!commits) {
        seekToCommitted(partitions);
      }
      assigned.addAll(partitions);
      if (!partitions.isEmpty()) {
        everAssigned = true;
        idleSinceNanos = 0;
      }
      log.println("score: partitions assigned: " + partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      if (!commits && !partitions.isEmpty()) {
        rewind(partitions);
      }
      assigned.removeAll(partitions);
      polled.removeIf(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
      log.println("score: partitions lost: " + partitions);
    }
  }
}
