package io.ringserve.loadtest.compare;

import io.ringserve.loadtest.LoadTestException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The server jar's {@code EngineProbe} in a JVM of its own, with the models loaded once, asked over
 * its standard input for the engine's figures at a batch size ({@code MODEL BATCH MILLIS}, one
 * {@code engine ...} line back). A JVM apart from the server's so that its CPU time is the engine's
 * alone; started with the server's environment (oneDNN setting) and engine options. Its log lines
 * go to a file. Not thread-safe: one owner.
 */
final class EngineProbeProcess implements AutoCloseable {
  static final String MAIN = "io.ringserve.server.cli.EngineProbe";

  private final Process process;
  private final BufferedReader answers;
  private final PrintWriter questions;
  private final Path log;

  private EngineProbeProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
    this.answers =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.questions =
        new PrintWriter(
            new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
  }

  /**
   * Starts the probe with {@code args} (its {@code --model} and engine options) and waits until it
   * has loaded the models.
   */
  static EngineProbeProcess start(
      String java,
      Path serverJar,
      List<String> args,
      Map<String, String> env,
      Path logDir,
      Duration wait)
      throws IOException, InterruptedException {
    Files.createDirectories(logDir);
    Path log = logDir.resolve("engine-probe.log");
    List<String> command = new ArrayList<>(List.of(java, "-cp", serverJar.toString(), MAIN));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(log.toFile());
    pb.environment().putAll(env);
    EngineProbeProcess probe = new EngineProbeProcess(pb.start(), log);
    try {
      String line = probe.nextLine(wait, "ready");
      if (!"ready".equals(line)) {
        throw new LoadTestException(
            "the engine probe did not start (a server jar older than EngineProbe? --engine-duration"
                + " 0s runs without it); its log is "
                + log);
      }
    } catch (IOException | RuntimeException e) {
      probe.close();
      throw e;
    }
    return probe;
  }

  /** The engine's figures for {@code model} at {@code batch}, measured for {@code measure}. */
  EngineSample measure(String model, long batch, Duration measure)
      throws IOException, InterruptedException {
    questions.println(model + " " + batch + " " + measure.toMillis());
    // Its own warm-up, the measurement, and room for a slow machine.
    String line = nextLine(measure.multipliedBy(3).plusSeconds(60), "engine ");
    if (line == null || !line.startsWith("engine ")) {
      throw new LoadTestException(
          "the engine probe answered '"
              + line
              + "' for "
              + model
              + " at batch "
              + batch
              + "; its log is "
              + log);
    }
    return EngineSample.parse(line);
  }

  /**
   * The next line that starts with {@code expected}, or an {@code error} line, or null when the
   * probe ends; other lines (a library writing to standard output) are skipped.
   */
  private String nextLine(Duration wait, String expected) throws IOException, InterruptedException {
    CompletableFuture<String> next =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                for (String l = answers.readLine(); l != null; l = answers.readLine()) {
                  if (l.startsWith(expected) || l.startsWith("error")) {
                    return l;
                  }
                }
                return null;
              } catch (IOException e) {
                return null;
              }
            });
    try {
      return next.get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      close();
      throw new LoadTestException(
          "the engine probe did not answer within " + wait + "; its log is " + log);
    } catch (ExecutionException e) {
      throw new IOException(e.getCause());
    }
  }

  @Override
  public void close() throws InterruptedException {
    // End of input ends it; a hung one is stopped.
    questions.close();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
