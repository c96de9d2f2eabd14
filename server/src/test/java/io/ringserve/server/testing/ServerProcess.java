package io.ringserve.server.testing;

import io.ringserve.server.cli.RingServeCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ringserve serve} in a JVM of its own, started as the {@code ringserve} script starts it:
 * {@code -Xmx512m -XX:+ExitOnOutOfMemoryError}, oneDNN on, TensorFlow's native log at errors only,
 * the server's main class (what {@code java -jar} runs; here from the test class path, since the
 * jar is packaged after the tests). Its output goes to a log file; its memory, threads and file
 * descriptors can be read from {@code /proc}. Not thread-safe: one owner.
 */
public final class ServerProcess implements AutoCloseable {
  private static final Pattern GRPC_PORT = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

  private final Process process;
  private final Path log;
  private final int port;

  private ServerProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** Starts the server over {@code repository} with {@code flags} added; waits until ready. */
  public static ServerProcess start(Path repository, Path log, String... flags) throws Exception {
    return start(List.of(), repository, log, flags);
  }

  /**
   * As {@link #start(Path, Path, String...)}, on the given CPUs only ({@code taskset -c CPUS}, for
   * example {@code "0"}), so that a load generator can have the others to itself.
   */
  public static ServerProcess startOnCpus(String cpus, Path repository, Path log, String... flags)
      throws Exception {
    return start(List.of("taskset", "-c", cpus), repository, log, flags);
  }

  private static ServerProcess start(
      List<String> launcher, Path repository, Path log, String... flags) throws Exception {
    List<String> command = new ArrayList<>(launcher);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-XX:+ExitOnOutOfMemoryError");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(RingServeCommand.class.getName());
    command.add("serve");
    command.add("--model-repository=" + repository);
    command.add("--host=127.0.0.1");
    command.add("--grpc-port=0");
    command.add("--allow-http=false");
    command.add("--allow-metrics=false");
    command.addAll(List.of(flags));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.redirectOutput(log.toFile());
    builder.environment().put("TF_ENABLE_ONEDNN_OPTS", "1");
    builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    Process process = builder.start();
    try {
      return new ServerProcess(process, log, awaitReady(process, log));
    } catch (Exception e) {
      process.destroyForcibly();
      throw e;
    }
  }

  private static int awaitReady(Process process, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the server exited during start\n" + read(log));
      }
      String text = read(log);
      Matcher m = GRPC_PORT.matcher(text);
      if (m.find() && text.contains("ready:")) {
        return Integer.parseInt(m.group(1));
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("not ready within 180 s\n" + read(log));
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  public Process process() {
    return process;
  }

  /** What the server wrote so far. */
  public String output() {
    return read(log);
  }

  /**
   * A line of {@code /proc/PID/status} in kiB ({@code VmRSS}, {@code VmHWM}) or as a count ({@code
   * Threads}); -1 where there is no such file (not Linux).
   */
  public long procStatus(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** Open file descriptors, from {@code /proc/PID/fd}; -1 where unreadable. */
  public long openFiles() {
    try (var files = Files.list(Path.of("/proc", Long.toString(pid()), "fd"))) {
      return files.count();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  public static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /**
   * The heap in use after a full collection, in bytes, from {@code jcmd PID GC.run} and {@code
   * GC.heap_info}; -1 where jcmd is missing or its answer unreadable.
   */
  public long heapAfterGcBytes() {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    try {
      jcmd(jcmd, "GC.run");
      Matcher used = Pattern.compile("used (\\d+)K").matcher(jcmd(jcmd, "GC.heap_info"));
      return used.find() ? Long.parseLong(used.group(1)) * 1024 : -1;
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private String jcmd(Path jcmd, String command) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(jcmd.toString(), Long.toString(pid()), command)
            .redirectErrorStream(true)
            .start();
    String text =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
    return text;
  }

  /** Kills the process if it is still running (a test that failed before its SIGTERM). */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
