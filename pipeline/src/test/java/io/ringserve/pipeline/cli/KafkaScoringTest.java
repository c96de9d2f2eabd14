package io.ringserve.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringserve.server.testing.ExampleRepository;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ringserve score} between Kafka topics of a real (in-test) broker: every record scored
 * once, offsets committed after the outputs, exactly-once across a SIGKILL, and two scorers of one
 * group sharing a topic. The {@code kafka-full} Maven profile runs them with 100,000 records.
 */
class KafkaScoringTest {
  private static final int RECORDS = Integer.getInteger("ringserve.kafka.records", 20_000);
  private static final int PARTITIONS = 4;

  @TempDir static Path dir;
  private static KafkaBroker kafka;
  private static Path repository;

  @BeforeAll
  static void startKafka() throws Exception {
    kafka = new KafkaBroker(dir.resolve("kafka"));
    repository = ExampleRepository.only("simple_onnx");
  }

  @AfterAll
  static void stopKafka() throws Exception {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void everyRecordIsScoredOnceAndBadRecordsGetErrorRecords() throws Exception {
    kafka.createTopic("alo-in", PARTITIONS);
    kafka.createTopic("alo-out", PARTITIONS);
    List<String> values = records(RECORDS);
    values.add("{not json");
    values.add("{\"id\": -1, \"INPUT0\": " + zeros() + "}");
    values.add("{\"id\": -2, \"INPUT0\": \"x\", \"INPUT1\": " + zeros() + "}");
    kafka.produce("alo-in", values);

    ByteArrayOutputStream log = new ByteArrayOutputStream();
    int exit =
        score(
            log,
            List.of(
                "--source",
                kafka.uri("alo-in"),
                "--sink",
                kafka.uri("alo-out"),
                "--group",
                "alo",
                "--idle-timeout-ms",
                "3000"));
    assertEquals(0, exit, log.toString(StandardCharsets.UTF_8));

    List<JsonNode> errors = checkPredictions(kafka.readAll("alo-out", "read_uncommitted"), 3);
    for (JsonNode e : errors) {
      assertTrue(e.get("record").asText().matches("alo-in/[0-3]/\\d+"), e.toString());
    }
    assertTrue(errors.stream().anyMatch(e -> e.get("error").asText().contains("malformed JSON")));
    assertTrue(errors.stream().anyMatch(e -> e.get("error").asText().contains("INPUT1")));

    // Nothing left uncommitted: a scorer started now would score nothing again.
    Map<TopicPartition, OffsetAndMetadata> committed =
        kafka.admin().listConsumerGroupOffsets("alo").partitionsToOffsetAndMetadata().get();
    long committedTotal = committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
    assertEquals(values.size(), committedTotal, "committed offsets " + committed);
  }

  @Test
  void exactlyOnceSurvivesAKilledScorer() throws Exception {
    kafka.createTopic("eos-in", PARTITIONS);
    kafka.createTopic("eos-out", PARTITIONS);
    kafka.produce("eos-in", records(RECORDS));
    List<String> args =
        List.of(
            "--source",
            kafka.uri("eos-in"),
            "--sink",
            kafka.uri("eos-out"),
            "--group",
            "eos",
            "--exactly-once",
            "--transactional-id",
            "scorer-0",
            "--checkpoint-interval-ms",
            "200",
            // The group hands a dead scorer's partitions over once its session times out.
            "--kafka-property",
            "session.timeout.ms=6000");

    Process child = start(args, dir.resolve("eos-child.log"));
    try {
      // Kill it mid-run: once some outputs exist, before it could have scored everything.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (child.isAlive()
          && System.nanoTime() < deadline
          && outputsWritten("eos-out") < RECORDS / 10) {
        Thread.sleep(20);
      }
      assertTrue(
          child.isAlive(),
          "the scorer ended before it was killed: "
              + Files.readString(dir.resolve("eos-child.log")));
      child.destroyForcibly(); // SIGKILL
      assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    } finally {
      child.destroyForcibly();
    }

    ByteArrayOutputStream log = new ByteArrayOutputStream();
    List<String> resumed = new ArrayList<>(args);
    resumed.addAll(List.of("--idle-timeout-ms", "3000"));
    assertEquals(0, score(log, resumed), log.toString(StandardCharsets.UTF_8));

    List<String> all = kafka.readAll("eos-out", "read_uncommitted");
    checkPredictions(kafka.readAll("eos-out", "read_committed"), 0);
    // The kill left outputs of a transaction that never committed, which the consumer skipped.
    System.err.println("eos-out holds " + all.size() + " records, " + RECORDS + " committed");
  }

  @Test
  void twoScorersInOneGroupShareThePartitions() throws Exception {
    kafka.createTopic("pair-in", PARTITIONS);
    kafka.createTopic("pair-out", PARTITIONS);
    List<CompletableFuture<Integer>> scorers = new ArrayList<>();
    List<ByteArrayOutputStream> logs = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      ByteArrayOutputStream log = new ByteArrayOutputStream();
      logs.add(log);
      Path summary = dir.resolve("pair-" + i + ".json");
      List<String> args =
          List.of(
              "--source",
              kafka.uri("pair-in"),
              "--sink",
              kafka.uri("pair-out"),
              "--group",
              "pair",
              "--idle-timeout-ms",
              "6000",
              "--summary-json",
              summary.toString());
      scorers.add(CompletableFuture.supplyAsync(() -> score(log, args)));
    }
    // Records arrive once both members hold partitions, as on a running deployment.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!bothMembersAssigned("pair") && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertTrue(bothMembersAssigned("pair"), "the group did not settle with two members");
    kafka.produce("pair-in", records(RECORDS));

    for (int i = 0; i < 2; i++) {
      assertEquals(
          0,
          scorers.get(i).get(120, TimeUnit.SECONDS),
          logs.get(i).toString(StandardCharsets.UTF_8));
    }
    checkPredictions(kafka.readAll("pair-out", "read_uncommitted"), 0);
    long total = 0;
    for (int i = 0; i < 2; i++) {
      long n =
          SimpleRecords.JSON
              .readTree(dir.resolve("pair-" + i + ".json").toFile())
              .get("records")
              .asLong();
      assertTrue(n > 0, "scorer " + i + " scored nothing");
      total += n;
    }
    assertEquals(RECORDS, total);
  }

  @Test
  void exactlyOnceHoldsWhenASecondScorerJoinsMidRun() throws Exception {
    kafka.createTopic("join-in", PARTITIONS);
    kafka.createTopic("join-out", PARTITIONS);
    kafka.produce("join-in", records(RECORDS));
    List<CompletableFuture<Integer>> scorers = new ArrayList<>();
    List<ByteArrayOutputStream> logs = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      ByteArrayOutputStream log = new ByteArrayOutputStream();
      logs.add(log);
      List<String> args =
          List.of(
              "--source",
              kafka.uri("join-in"),
              "--sink",
              kafka.uri("join-out"),
              "--group",
              "join",
              "--exactly-once",
              "--transactional-id",
              "join-" + i,
              "--checkpoint-interval-ms",
              "200",
              "--idle-timeout-ms",
              "4000",
              "--summary-json",
              dir.resolve("join-" + i + ".json").toString());
      scorers.add(CompletableFuture.supplyAsync(() -> score(log, args)));
      // The second joins while the first is scoring: the partitions move mid-transaction.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (i == 0 && System.nanoTime() < deadline && outputsWritten("join-out") < RECORDS / 10) {
        Thread.sleep(20);
      }
      assertTrue(outputsWritten("join-out") < RECORDS, "the first scorer finished alone");
    }
    for (int i = 0; i < 2; i++) {
      assertEquals(
          0,
          scorers.get(i).get(120, TimeUnit.SECONDS),
          logs.get(i).toString(StandardCharsets.UTF_8));
    }
    assertTrue(
        logs.get(0).toString(StandardCharsets.UTF_8).contains("partitions revoked"),
        "no rebalance happened: " + logs.get(0));
    checkPredictions(kafka.readAll("join-out", "read_committed"), 0);
    // Records re-read after the rebalance count once: the summaries add up to the records
    // committed, not to every output written (the aborted transaction's too).
    assertEquals(RECORDS, summaryRecords("join-0") + summaryRecords("join-1"), "summed summaries");
  }

  private static long summaryRecords(String name) throws Exception {
    return SimpleRecords.JSON
        .readTree(dir.resolve(name + ".json").toFile())
        .get("records")
        .asLong();
  }

  private static boolean bothMembersAssigned(String group) throws Exception {
    ConsumerGroupDescription d;
    try {
      d = kafka.admin().describeConsumerGroups(List.of(group)).all().get().get(group);
    } catch (ExecutionException e) {
      return false; // not created yet
    }
    if (d.groupState() != GroupState.STABLE || d.members().size() != 2) {
      return false;
    }
    for (MemberDescription m : d.members()) {
      if (m.assignment().topicPartitions().isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /** Records in {@code topic}, committed or not. */
  private static long outputsWritten(String topic) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    return kafka.admin().listOffsets(latest).all().get().values().stream()
        .mapToLong(i -> i.offset())
        .sum();
  }

  /**
   * Checks that the outputs hold one correct prediction for each of the {@link #RECORDS} records
   * and {@code errors} error records; returns those.
   */
  private static List<JsonNode> checkPredictions(List<String> outputs, int errors)
      throws Exception {
    BitSet seen = new BitSet(RECORDS);
    List<JsonNode> errorRecords = new ArrayList<>();
    for (String value : outputs) {
      JsonNode out = SimpleRecords.JSON.readTree(value);
      if (out.has("error")) {
        errorRecords.add(out);
        continue;
      }
      int id = out.get("id").asInt();
      assertTrue(!seen.get(id), "record " + id + " scored twice");
      seen.set(id);
      SimpleRecords.assertPrediction(id, out);
    }
    assertEquals(RECORDS, seen.cardinality(), "records scored");
    assertEquals(errors, errorRecords.size(), "error records " + errorRecords);
    assertEquals(RECORDS + errors, outputs.size(), "output records");
    return errorRecords;
  }

  private static List<String> records(int n) {
    List<String> values = new ArrayList<>(n + 3);
    for (int i = 0; i < n; i++) {
      values.add(SimpleRecords.jsonLine(i));
    }
    return values;
  }

  private static String zeros() {
    return "[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]";
  }

  private static List<String> withModel(List<String> args) {
    List<String> all =
        new ArrayList<>(
            List.of(
                "--model",
                "simple_onnx",
                "--model-repository",
                repository.toString(),
                "--id",
                "id"));
    all.addAll(args);
    return all;
  }

  private static int score(ByteArrayOutputStream log, List<String> args) {
    return new CommandLine(new ScoreCommand(new PrintStream(log, true, StandardCharsets.UTF_8)))
        .execute(withModel(args).toArray(String[]::new));
  }

  private static Process start(List<String> args, Path log) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ScoreCommand.class.getName());
    command.addAll(withModel(args));
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    return pb.start();
  }
}
