package io.ringserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.server.GrpcLimits;
import io.ringserve.server.GrpcSecurity;
import io.ringserve.server.ModelControlMode;
import io.ringserve.server.backend.BackendOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

class ServeCommandTest {

  @Test
  void shouldNameEveryBundledExampleInTheHelpOfServeAndExamples() {
    for (Object command : new Object[] {new ServeCommand(), new ExamplesCommand()}) {
      String help = new CommandLine(command).getUsageMessage().replaceAll("\\s+", " ");
      for (String name : io.ringserve.server.internal.examples.ExampleModels.NAMES) {
        assertTrue(help.contains(name + ",") || help.contains(name + ")"), name + "\n" + help);
      }
    }
  }

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

  @Test
  void tritonsTlsAndRestrictionFlagsMakeTheServersSecurity() {
    ServeCommand serve =
        parse(
            "--grpc-use-ssl-mutual",
            "true",
            "--grpc-server-cert",
            "s.crt",
            "--grpc-server-key",
            "s.key",
            "--grpc-root-cert",
            "ca.crt",
            "--grpc-restricted-protocol=inference:infer-key=secret",
            "--grpc-restricted-protocol=model-repository,model-config:admin-key=admin",
            "--reflection",
            "false");
    GrpcSecurity security = serve.grpcSecurityOrFail();

    assertEquals(
        new GrpcSecurity.Tls(Path.of("s.crt"), Path.of("s.key"), Path.of("ca.crt"), true),
        security.tls());
    assertEquals(2, security.restrictions().size());
    assertEquals("triton-grpc-protocol-admin-key", security.restrictions().get(1).key());
    assertFalse(security.reflection());
    assertNull(parse().grpcSecurityOrFail().tls());
    assertTrue(parse().grpcSecurityOrFail().reflection());
  }

  @Test
  void tlsWithoutItsFilesIsRefusedByName() {
    ServeCommand serve = parse("--grpc-use-ssl", "true", "--grpc-server-cert", "s.crt");
    ParameterException e = assertThrows(ParameterException.class, serve::grpcSecurityOrFail);
    assertTrue(e.getMessage().contains("--grpc-server-key"), e.getMessage());

    ServeCommand noSsl = parse("--grpc-server-cert", "s.crt", "--grpc-server-key", "s.key");
    e = assertThrows(ParameterException.class, noSsl::grpcSecurityOrFail);
    assertTrue(e.getMessage().contains("need --grpc-use-ssl true"), e.getMessage());
  }

  @Test
  void theHttpHeaderAndIdleLimitsAreFlagsWithTheFormerConstantsAsDefaults() {
    ServeCommand defaults = parse();
    assertEquals(16 * 1024, defaults.httpMaxHeaderSize);
    assertEquals(120, defaults.httpIdleTimeoutSecs);

    ServeCommand set = parse("--http-max-header-size", "2048", "--http-idle-timeout-secs", "5");
    assertEquals(2048, set.httpMaxHeaderSize);
    assertEquals(5, set.httpIdleTimeoutSecs);
  }

  @Test
  void theHttpDefaultDeadlineIsAFlagDefaultingToTheGrpcOneAndRefusesANegativeValue() {
    assertEquals(GrpcLimits.DEFAULT_DEADLINE_SECONDS, parse().httpDefaultDeadlineSecs);
    assertEquals(0, parse("--http-default-deadline-secs", "0").httpDefaultDeadlineSecs);

    StringWriter err = new StringWriter();
    CommandLine command = new CommandLine(new RingServeCommand());
    command.setErr(new PrintWriter(err));
    int exit =
        command.execute(
            "serve",
            "--http-default-deadline-secs",
            "-1",
            "--grpc-port",
            "0",
            "--allow-metrics",
            "false");

    assertEquals(2, exit, err.toString());
    assertTrue(
        err.toString().contains("--http-default-deadline-secs must be between 0 (none) and"),
        err.toString());
  }

  private static ServeCommand parse(String... args) {
    ServeCommand serve = new ServeCommand();
    new CommandLine(serve).parseArgs(args);
    return serve;
  }

  @Test
  void aMissingRepositoryFolderIsOneLineNamingItAndExitStatusOne(@TempDir Path dir) {
    Path missing = dir.resolve("no-such-repository");

    Startup run = serve("--model-repository=" + missing, "--grpc-port=0", "--allow-http=false");

    assertEquals(1, run.exit, run.err);
    assertOneLine(run.err, missing.toString(), "--model-repository");
  }

  @Test
  void aGrpcPortInUseIsOneLineNamingThePort(@TempDir Path repository) throws Exception {
    try (ServerSocket taken = takenPort()) {
      Startup run =
          serve(
              "--model-repository=" + repository,
              "--grpc-port=" + taken.getLocalPort(),
              "--allow-http=false");

      assertEquals(1, run.exit, run.err);
      assertOneLine(run.err, "127.0.0.1:" + taken.getLocalPort(), "--grpc-port", "in use");
    }
  }

  @Test
  void anHttpPortInUseIsOneLineNamingThePort(@TempDir Path repository) throws Exception {
    try (ServerSocket taken = takenPort()) {
      Startup run =
          serve(
              "--model-repository=" + repository,
              "--grpc-port=0",
              "--http-port=" + taken.getLocalPort());

      assertEquals(1, run.exit, run.err);
      assertOneLine(run.err, "127.0.0.1:" + taken.getLocalPort(), "--http-port", "in use");
    }
  }

  @Test
  void aMetricsPortInUseIsOneLineNamingThePort(@TempDir Path repository) throws Exception {
    try (ServerSocket taken = takenPort()) {
      Startup run =
          serve(
              "--model-repository=" + repository,
              "--grpc-port=0",
              "--allow-http=false",
              "--allow-metrics=true",
              "--metrics-port=" + taken.getLocalPort());

      assertEquals(1, run.exit, run.err);
      assertOneLine(run.err, "127.0.0.1:" + taken.getLocalPort(), "--metrics-port", "in use");
    }
  }

  @Test
  void aFailedStartFreesTheMetricsPortItHadBound(@TempDir Path repository) throws Exception {
    int metricsPort;
    try (ServerSocket free = takenPort()) {
      metricsPort = free.getLocalPort();
    }
    try (ServerSocket taken = takenPort()) {
      Startup run =
          serve(
              "--model-repository=" + repository,
              "--grpc-port=" + taken.getLocalPort(),
              "--allow-http=false",
              "--allow-metrics=true",
              "--metrics-port=" + metricsPort);

      assertEquals(1, run.exit, run.err);
      assertOneLine(run.err, "--grpc-port", "in use");
    }
    // The metrics server was bound before the gRPC port failed; its port is free again, so no
    // non-daemon thread of it keeps the process alive.
    try (ServerSocket again =
        new ServerSocket(metricsPort, 50, InetAddress.getByName("127.0.0.1"))) {
      assertEquals(metricsPort, again.getLocalPort());
    }
  }

  @Test
  void aMetricsPortThatIsAlsoTheGrpcOrHttpPortIsOneLineNamingBothFlags(@TempDir Path repository)
      throws Exception {
    int port;
    try (ServerSocket free = takenPort()) {
      port = free.getLocalPort();
    }
    Startup grpc =
        serve(
            "--model-repository=" + repository,
            "--grpc-port=" + port,
            "--allow-http=false",
            "--allow-metrics=true",
            "--metrics-port=" + port);
    assertEquals(1, grpc.exit, grpc.err);
    assertOneLine(grpc.err, "--metrics-port and --grpc-port are both " + port);

    Startup http =
        serve(
            "--model-repository=" + repository,
            "--grpc-port=0",
            "--http-port=" + port,
            "--allow-metrics=true",
            "--metrics-port=" + port);
    assertEquals(1, http.exit, http.err);
    assertOneLine(http.err, "--metrics-port and --http-port are both " + port);
  }

  private record Startup(int exit, String err) {}

  /** Runs serve on 127.0.0.1, metrics off unless asked; returns only when it fails to start. */
  private static Startup serve(String... args) {
    StringWriter err = new StringWriter();
    CommandLine command = new CommandLine(new RingServeCommand());
    command.setErr(new PrintWriter(err, true));
    List<String> all = new java.util.ArrayList<>(List.of("serve", "--host=127.0.0.1"));
    if (List.of(args).stream().noneMatch(a -> a.startsWith("--allow-metrics"))) {
      all.add("--allow-metrics=false");
    }
    all.addAll(List.of(args));
    int exit = command.execute(all.toArray(String[]::new));
    return new Startup(exit, err.toString());
  }

  private static ServerSocket takenPort() throws IOException {
    return new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
  }

  private static void assertOneLine(String err, String... parts) {
    assertEquals(1, err.strip().lines().count(), err);
    assertTrue(err.startsWith("error: "), err);
    for (String part : parts) {
      assertTrue(err.contains(part), () -> "'" + part + "' missing from: " + err);
    }
    assertFalse(err.contains("Exception"), err);
  }
}
