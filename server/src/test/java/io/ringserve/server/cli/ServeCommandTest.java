package io.ringserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.server.GrpcLimits;
import io.ringserve.server.backend.BackendOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
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
