package io.ringserve.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The server started the way the container starts it: {@code deploy/docker/entrypoint.sh} with the
 * container's arguments and environment, its working directory the image's {@code /opt/ringserve}
 * (here the server module's {@code target/}), nothing but {@code TMPDIR} writable.
 *
 * <p>Run as root (as CI runs), it switches to user and group 1000 with {@code setpriv}, as the
 * image's {@code USER 1000:1000}: that user cannot write the working directory, the jars or any
 * home folder ({@code HOME=/nonexistent}), so a write outside {@code TMPDIR} fails the start the
 * way the read-only root filesystem would. Otherwise it runs as the current user.
 *
 * <p>Not thread-safe. {@link #close()} kills the process if it is still alive.
 */
final class ServerProcess implements AutoCloseable {
  static final int CONTAINER_UID = 1000;

  private final Process process;
  private final Path log;

  private ServerProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * Starts the entrypoint.
   *
   * @param args the container's arguments
   * @param env the container's environment (plain values)
   * @param tmp the writable folder, the container's {@code /tmp}; made writable for everyone
   */
  static ServerProcess start(List<String> args, Map<String, String> env, Path tmp)
      throws IOException {
    Files.createDirectories(tmp);
    Files.setPosixFilePermissions(
        tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
    List<String> command = new ArrayList<>();
    if (asContainerUser()) {
      command.addAll(
          List.of(
              "setpriv",
              "--reuid=" + CONTAINER_UID,
              "--regid=" + CONTAINER_UID,
              "--clear-groups",
              "--"));
    }
    command.add(DeployFiles.entrypoint().toString());
    command.addAll(args);
    Path home = DeployFiles.serverHome();
    ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile());
    Map<String, String> environment = builder.environment();
    environment.clear();
    environment.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    environment.put("HOME", "/nonexistent");
    environment.put("JAVA_HOME", System.getProperty("java.home"));
    environment.put("RINGSERVE_HOME", home.toString());
    environment.put("TMPDIR", tmp.toString());
    environment.put("TF_CPP_MIN_LOG_LEVEL", "2");
    environment.putAll(env);
    Path log = tmp.resolveSibling(tmp.getFileName() + ".log");
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    return new ServerProcess(builder.start(), log);
  }

  /** Whether the process runs as the image's user 1000: when this JVM is root and can switch. */
  static boolean asContainerUser() {
    return "root".equals(System.getProperty("user.name"))
        && Files.isExecutable(Path.of("/usr/bin/setpriv"));
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** What the kubelet sends after preStop: SIGTERM to the container's main process. */
  void sigterm() {
    process.destroy();
  }

  /** Waits for the process to exit; its exit code, or null if it is still running. */
  Integer awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
  }

  /** The process's output so far, for failure messages. */
  String log() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
