package io.ringserve.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringserve.batching.Tensor;
import io.ringserve.pipeline.InProcessScorer;
import io.ringserve.pipeline.examples.TransactionGenerator;
import io.ringserve.pipeline.examples.UniformRowsGenerator;
import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.internal.backend.tensorflow.ProcessThreadPools;
import io.ringserve.server.testing.ExampleRepository;
import io.ringserve.wire.DataType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The throughput lines for {@code ringserve score}, printed (not asserted: the figures
 * belong to a quiet machine). {@code ./mvnw -B -pl pipeline -am -Pbenchmark verify
 * -Dtest=ScoringBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 *
 * <ul>
 *   <li>{@code mlp}: in-process scoring of a generated CSV against the engine's own batch-128
 *       throughput through the same in-process scorer (no parsing, no output), measured in the same
 *       JVM one after the other; the goal is a ratio of at least 0.8.
 *   <li>{@code fraud}: records/s scoring a generated 1,000,000-row transactions CSV.
 * </ul>
 *
 * Sizes: {@code -Dringserve.bench.mlp.rows} (default 20,000), {@code -Dringserve.bench.fraud.rows}
 * (default 1,000,000).
 */
@Tag("benchmark")
class ScoringBenchmark {
  private static final long MLP_ROWS = Long.getLong("ringserve.bench.mlp.rows", 20_000);
  private static final long FRAUD_ROWS = Long.getLong("ringserve.bench.fraud.rows", 1_000_000);
  private static final int BATCH = 128;
  private static final int IN_FLIGHT = 4; // the score command's default --max-in-flight

  @TempDir Path dir;

  @Test
  void mlpInProcessScoringAgainstTheEngine() throws Exception {
    Path csv = dir.resolve("mlp.csv");
    try (Writer out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
      new UniformRowsGenerator(3, 784).write(out, MLP_ROWS);
    }
    Path repository = ExampleRepository.only("mlp");

    double engine = 0;
    double scoring = 0;
    for (int round = 1; round <= 2; round++) { // the first round warms up
      engine = engineThroughput(repository);
      scoring = scoreThroughput("mlp", repository, csv, MLP_ROWS);
      System.err.printf(
          "mlp round %d: in-process scoring %.0f records/s, engine batch-%d %.0f inferences/s,"
              + " ratio %.2f (%d rows)%n",
          round, scoring, BATCH, engine, scoring / engine, MLP_ROWS);
    }
  }

  @Test
  void fraudScoringOfAMillionRowCsv() throws Exception {
    Path csv = dir.resolve("transactions.csv");
    try (Writer out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
      new TransactionGenerator(2026, 0.002).write(out, FRAUD_ROWS);
    }
    double rate = scoreThroughput("fraud", ExampleRepository.only("fraud"), csv, FRAUD_ROWS);
    System.err.printf(
        "fraud: %d-row CSV (%d MB) scored at %.0f records/s%n",
        FRAUD_ROWS, Files.size(csv) >> 20, rate);
  }

  /** The run's own records/s from its summary (the model load not counted). */
  private double scoreThroughput(String model, Path repository, Path csv, long rows)
      throws Exception {
    Path summary = dir.resolve(model + "-summary.json");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        new CommandLine(new ScoreCommand(new PrintStream(err, true, StandardCharsets.UTF_8)))
            .execute(
                "--model",
                model,
                "--model-repository",
                repository.toString(),
                "--source",
                csv.toString(),
                "--sink",
                dir.resolve(model + "-scored.jsonl").toString(),
                "--summary-json",
                summary.toString());
    assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
    JsonNode s = SimpleRecords.JSON.readTree(summary.toFile());
    assertEquals(rows, s.get("records").asLong());
    return s.get("recordsPerSecond").asDouble();
  }

  /**
   * Full batches of random rows through the scorer the command uses, {@link #IN_FLIGHT} at once.
   */
  private static double engineThroughput(Path repository) throws Exception {
    BackendOptions engines = BackendOptions.serverDefaults();
    try (InProcessScorer scorer =
        InProcessScorer.load(repository, "mlp", "", engines, new ProcessThreadPools(engines))) {
      ByteBuffer data = ByteBuffer.allocate(BATCH * 784 * 4).order(ByteOrder.LITTLE_ENDIAN);
      SplittableRandom random = new SplittableRandom(5);
      for (int i = 0; i < BATCH * 784; i++) {
        data.putFloat((float) random.nextDouble());
      }
      data.flip();
      List<Tensor> inputs =
          List.of(Tensor.of("INPUT0", DataType.FP32, new long[] {BATCH, 784}, data));
      long batches = Math.max(1, MLP_ROWS / BATCH);
      ArrayDeque<CompletableFuture<List<Tensor>>> pending = new ArrayDeque<>();
      long start = System.nanoTime();
      for (long b = 0; b < batches; b++) {
        if (pending.size() == IN_FLIGHT) {
          pending.poll().get();
        }
        pending.add(scorer.infer(inputs));
      }
      while (!pending.isEmpty()) {
        pending.poll().get();
      }
      return batches * BATCH / ((System.nanoTime() - start) / 1e9);
    }
  }
}
