package io.ringserve.loadtest.compare;

import io.ringserve.loadtest.LoadTestException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A process this harness starts (the server as the README starts it, or the echo service), with its
 * output in a log file, ready once its port accepts connections, stopped by SIGTERM (then killed if
 * it has not ended within ten seconds). Not thread-safe: one owner.
 */
final class ChildJvm implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path log;

  private ChildJvm(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** Starts {@code command} with {@code env} added, and waits until {@code port} accepts. */
  static ChildJvm start(
      String name,
      List<String> command,
      Map<String, String> env,
      int port,
      Path logDir,
      long waitMs)
      throws IOException, InterruptedException {
    Files.createDirectories(logDir);
    Path log = logDir.resolve(name + ".log");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.redirectOutput(log.toFile());
    pb.environment().putAll(env);
    ChildJvm child = new ChildJvm(name, pb.start(), log);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
    while (!child.accepts(port)) {
      if (!child.process.isAlive() || System.nanoTime() > deadline) {
        boolean ended = !child.process.isAlive();
        child.close();
        throw new LoadTestException(
            name
                + (ended ? " ended at start (" + lastLine(log) + ")" : " did not open port " + port)
                + "; its output is in "
                + log);
      }
      Thread.sleep(100);
    }
    return child;
  }

  /** The last line a child wrote, which says why it ended (or "no output"). */
  static String lastLine(Path log) {
    try (Stream<String> lines = Files.lines(log)) {
      return lines.filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("no output");
    } catch (IOException | UncheckedIOException e) {
      return "its output cannot be read";
    }
  }

  private boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  long pid() {
    return process.pid();
  }

  Path log() {
    return log;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ")";
  }
}
