package io.ringserve.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringserve.pipeline.examples.TransactionGenerator;
import io.ringserve.server.testing.ExampleRepository;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CSV several times larger than the heap is scored to the end by a child JVM whose heap is capped
 * ({@code -Xmx}, and an OutOfMemoryError ends it): what is in memory is bounded by the records in
 * flight, not by the file. The default run uses a small heap and a file of {@value #DEFAULT_MB} MB;
 * the {@code memory-full} Maven profile runs the case, a 1 GB file under {@code -Xmx256m}.
 */
class LargeFileMemoryTest {
  private static final int DEFAULT_MB = 80;
  private static final long FILE_MB = Long.getLong("ringserve.memory.file.mb", DEFAULT_MB);
  private static final String HEAP = System.getProperty("ringserve.memory.heap", "32m");

  @TempDir Path dir;

  @Test
  void aCsvLargerThanTheHeapIsScoredInAChildJvmWithASmallHeap() throws Exception {
    Path csv = dir.resolve("transactions.csv");
    long rows = rowsFor(FILE_MB << 20);
    try (Writer out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
      new TransactionGenerator(1, 0.002).write(out, rows);
    }
    long heapBytes = parseSize(HEAP);
    assertTrue(
        Files.size(csv) > 2 * heapBytes,
        "the file (" + Files.size(csv) + " bytes) must be well over the heap (" + HEAP + ")");

    Path summary = dir.resolve("summary.json");
    Path log = dir.resolve("child.log");
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-Xmx" + HEAP);
    command.add("-XX:+ExitOnOutOfMemoryError");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ScoreCommand.class.getName());
    command.addAll(
        List.of(
            "--model",
            "fraud",
            "--model-repository",
            ExampleRepository.only("fraud").toString(),
            "--source",
            csv.toString(),
            "--sink",
            dir.resolve("scored.jsonl").toString(),
            "--summary-json",
            summary.toString()));
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    Process child = pb.start();
    try {
      assertTrue(child.waitFor(15, TimeUnit.MINUTES), "the child did not finish");
    } finally {
      child.destroyForcibly();
    }
    assertEquals(0, child.exitValue(), Files.readString(log));
    JsonNode s = SimpleRecords.JSON.readTree(summary.toFile());
    assertEquals(rows, s.get("records").asLong(), s.toString());
    assertEquals(0, s.get("errors").asLong(), s.toString());
    System.err.println(
        "scored "
            + Files.size(csv) / (1 << 20)
            + " MB ("
            + rows
            + " rows) under -Xmx"
            + HEAP
            + ": "
            + s);
  }

  /** Rows for a file of about {@code bytes}, from the length of a sample's rows. */
  private static long rowsFor(long bytes) throws Exception {
    StringWriter sample = new StringWriter();
    new TransactionGenerator(1, 0.002).write(sample, 2_000);
    return bytes * 2_000 / sample.toString().length();
  }

  private static long parseSize(String size) {
    char unit = Character.toLowerCase(size.charAt(size.length() - 1));
    long n = Long.parseLong(size.substring(0, size.length() - 1));
    return switch (unit) {
      case 'g' -> n << 30;
      case 'm' -> n << 20;
      case 'k' -> n << 10;
      default -> Long.parseLong(size);
    };
  }
}
