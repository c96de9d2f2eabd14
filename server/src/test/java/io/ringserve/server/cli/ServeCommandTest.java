package io.ringserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.server.GrpcLimits;
import io.ringserve.server.ModelControlMode;
import io.ringserve.server.backend.BackendOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServeCommandTest {

  @Test
  void withoutThreadOptionsTheServerDefaultsApply() {
    ServeCommand serve = parse();

    assertEquals(BackendOptions.serverDefaults(), serve.backendOptions());
    assertEquals(BackendOptions.CALLER_THREAD, serve.backendOptions().interOpThreads());
  }

  @Test
  void threadOptionsReplaceTheDefaults() {
    ServeCommand serve = parse("--intra-op-threads", "0", "--inter-op-threads", "3");

    assertEquals(new BackendOptions(0, 3), serve.backendOptions());
  }

  @Test
  void anOutOfRangeThreadCountIsRefusedByNameBeforeAnythingStarts() {
    StringWriter err = new StringWriter();
    CommandLine command = new CommandLine(new RingServeCommand());
    command.setErr(new PrintWriter(err));

    int exit =
        command.execute(
            "serve", "--inter-op-threads", "-5", "--grpc-port", "0", "--allow-metrics", "false");

    assertEquals(2, exit, err.toString());
    assertTrue(
        err.toString().contains("--inter-op-threads must be -1 (the worker thread), 0 or more"),
        err.toString());
  }

  @Test
  void tritonsModelStoreAndModelControlFlagsAreTaken() {
    ServeCommand serve =
        parse(
            "--model-store=/mnt/models",
            "--model-control-mode=EXPLICIT",
            "--load-model",
            "a",
            "--load-model",
            "b");

    assertEquals(Path.of("/mnt/models"), serve.modelRepository);
    assertEquals(ModelControlMode.EXPLICIT, serve.controlMode());
    assertEquals(List.of("a", "b"), serve.loadModels);
    assertEquals(ModelControlMode.POLL, parse("--model-control-mode", "poll").controlMode());
    assertEquals(ModelControlMode.NONE, parse().controlMode());
    assertTrue(parse().exitOnError);
  }

  @Test
  void aModelThatFailsAtStartStopsTheServerWithOneLineNamingIt(@TempDir Path repository)
      throws Exception {
    Files.createDirectories(repository.resolve("broken").resolve("1"));
    Files.writeString(repository.resolve("broken").resolve("config.pbtxt"), "max_batch_size: x\n");
    StringWriter err = new StringWriter();
    CommandLine command = new CommandLine(new RingServeCommand());
    command.setErr(new PrintWriter(err));

    int exit =
        command.execute(
            "serve",
            "--model-repository",
            repository.toString(),
            "--host",
            "127.0.0.1",
            "--grpc-port",
            "0",
            "--allow-metrics",
            "false");

    assertEquals(1, exit, err.toString());
    assertEquals(1, err.toString().strip().lines().count(), err.toString());
    assertTrue(err.toString().startsWith("error: failed to load 'broken'"), err.toString());
  }

  @Test
  void aRepositoryPollOfZeroDisablesPollingAndANegativeOneIsRefused() {
    assertEquals(0, parse("--repository-poll-secs", "0").repositoryPollSecs);
    StringWriter err = new StringWriter();
    CommandLine command = new CommandLine(new RingServeCommand());
    command.setErr(new PrintWriter(err));

    int exit =
        command.execute(
            "serve",
            "--repository-poll-secs",
            "-1",
            "--grpc-port",
            "0",
            "--allow-metrics",
            "false");

    assertEquals(2, exit, err.toString());
    assertTrue(
        err.toString().contains("--repository-poll-secs must be 0 (no polling) or more, got -1"),
        err.toString());
  }

  @Test
  void grpcLimitFlagsSetTheLimitsAndDefaultToTheirDefaults() {
    assertEquals(GrpcLimits.defaults(), parse().grpcLimits.limits());
    GrpcLimits limits =
        parse(
                "--grpc-max-concurrent-calls-per-connection", "7",
                "--grpc-max-connections", "9",
                "--grpc-max-rst-frames-per-window", "11",
                "--grpc-keepalive-time", "60000",
                "--grpc-message-receive-timeout-secs", "0")
            .grpcLimits
            .limits();
    assertEquals(7, limits.maxConcurrentCallsPerConnection());
    assertEquals(9, limits.maxConnections());
    assertEquals(11, limits.maxRstFramesPerWindow());
    assertEquals(Duration.ofMinutes(1), limits.keepAliveTime());
    assertEquals(Duration.ZERO, limits.messageReceiveTimeout());
  }

  @Test
  void exitTimeoutSecsIsTritonsNameAndShutdownGraceSecondsItsAlias() {
    assertEquals(3, parse("--exit-timeout-secs", "3").shutdownGraceSeconds);
    assertEquals(4, parse("--shutdown-grace-seconds", "4").shutdownGraceSeconds);
  }

  @Test
  void anOutOfRangeLimitIsRefusedByNameBeforeAnythingStarts() {
    StringWriter err = new StringWriter();
    CommandLine command = new CommandLine(new RingServeCommand());
    command.setErr(new PrintWriter(err));

    int exit =
        command.execute(
            "serve", "--grpc-max-connections", "0", "--grpc-port", "0", "--allow-metrics", "false");

    assertEquals(2, exit, err.toString());
    assertTrue(err.toString().contains("maxConnections must be >= 1"), err.toString());
  }

  private static ServeCommand parse(String... args) {
    ServeCommand serve = new ServeCommand();
    new CommandLine(serve).parseArgs(args);
    return serve;
  }
}
