package io.ringserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.server.backend.BackendOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
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

  private static ServeCommand parse(String... args) {
    ServeCommand serve = new ServeCommand();
    new CommandLine(serve).parseArgs(args);
    return serve;
  }
}
