package io.ringserve.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.server.testing.ExampleRepository;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A file run killed with SIGKILL at random instants, and resumed each time, writes exactly the
 * bytes of a run that was never interrupted: no output record missing, none doubled.
 */
class ResumeAfterKillTest {
  private static final int RECORDS = 60_000;
  private static final int KILLS = 5;

  @TempDir Path dir;

  @Test
  void aRunKilledAtRandomPointsAndResumedWritesTheSameOutput() throws Exception {
    Path in = SimpleRecords.writeCsv(dir.resolve("in.csv"), RECORDS);
    Path repository = ExampleRepository.only("simple_onnx");
    Path reference = dir.resolve("reference.jsonl");
    Path out = dir.resolve("out.jsonl");
    assertEquals(0, inProcess(args(repository, in, reference)));

    long finalSize = Files.size(reference);
    Random random = new Random(42);
    int killedWhileRunning = 0;
    for (int attempt = 0; attempt < 3 * KILLS && killedWhileRunning < KILLS; attempt++) {
      Process child = start(args(repository, in, out), dir.resolve("child-" + attempt + ".log"));
      try {
        long startSize = Files.exists(out) ? Files.size(out) : 0;
        // The kill point is a random share (10-40 %) of the output still to come rather than a
        // random delay, so that a fast machine cannot finish the run before it: five kills still
        // leave work for the last resume.
        long killAt =
            startSize
                + Math.max(1, (long) ((finalSize - startSize) * (0.1 + 0.3 * random.nextDouble())));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (child.isAlive()
            && System.nanoTime() < deadline
            && (!Files.exists(out) || Files.size(out) < killAt)) {
          Thread.sleep(1);
        }
        if (child.isAlive()) {
          child.destroyForcibly(); // SIGKILL on Linux and macOS
          killedWhileRunning++;
        }
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child did not end");
      } finally {
        child.destroyForcibly();
      }
      if (child.exitValue() == 0) {
        break; // finished before the kill
      }
    }
    assertTrue(killedWhileRunning >= KILLS, "killed mid-run only " + killedWhileRunning + " times");

    assertEquals(0, inProcess(args(repository, in, out)), "the last resume");
    assertEquals(
        Files.readAllLines(reference).size(), Files.readAllLines(out).size(), "record count");
    assertArrayEquals(Files.readAllBytes(reference), Files.readAllBytes(out));
  }

  private static List<String> args(Path repository, Path in, Path out) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--model",
                "simple_onnx",
                "--model-repository",
                repository.toString(),
                "--source",
                in.toString(),
                "--sink",
                out.toString(),
                "--id",
                "id",
                "--resume",
                "--checkpoint-interval-ms",
                "5"));
    args.addAll(List.of(SimpleRecords.CSV_INPUTS));
    return args;
  }

  private static int inProcess(List<String> args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    return new CommandLine(new ScoreCommand(new PrintStream(err, true, StandardCharsets.UTF_8)))
        .execute(args.toArray(String[]::new));
  }

  private static Process start(List<String> args, Path log) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ScoreCommand.class.getName());
    command.addAll(args);
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    return pb.start();
  }
}
