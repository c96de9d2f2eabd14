package io.ringserve.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.server.testing.TestServers;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code ringserve-infer health|metadata|models} against the shared example server. */
class ServerCommandsTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return new picocli.CommandLine(new InferCommand())
        .setOut(new PrintWriter(out))
        .setErr(new PrintWriter(err))
        .execute(args);
  }

  private String target() {
    return TestServers.shared().target();
  }

  @Test
  void healthShouldPrintLiveAndReadyAndExitZero() {
    int code = run("--url", target(), "health", "--model", "simple");
    assertEquals(0, code, err.toString());
    assertEquals("live: true\nready: true\nmodel simple ready: true\n", out.toString());
  }

  @Test
  void healthShouldExitOneForAModelThatIsNotThere() {
    // The connection options may also follow the command's name.
    int code = run("health", "--url", target(), "--model", "nope");
    assertEquals(1, code, err.toString());
    assertTrue(out.toString().endsWith("model nope ready: false\n"), out.toString());
  }

  @Test
  void healthShouldExitOneWhenNothingListens() {
    int code = run("health", "--url", "127.0.0.1:1", "--timeout", "2");
    assertEquals(1, code);
    assertTrue(err.toString().startsWith("error: "), err.toString());
  }

  @Test
  void metadataShouldDescribeTheServerAndAModel() {
    assertEquals(0, run("metadata", "--url", target()), err.toString());
    String server = out.toString();
    assertTrue(server.startsWith("server: ringserve\n"), server);
    assertTrue(server.contains("extensions: "), server);
    out.getBuffer().setLength(0);

    assertEquals(0, run("metadata", "--url", target(), "--model", "simple"), err.toString());
    String model = out.toString();
    assertTrue(model.contains("model: simple\n"), model);
    assertTrue(model.contains("input: INPUT0 INT32 [-1, 16]\n"), model);
    assertTrue(model.contains("output: OUTPUT1 INT32 [-1, 16]\n"), model);
  }

  @Test
  void modelsShouldListTheRepositoryWithStates() {
    assertEquals(0, run("models", "--url", target()), err.toString());
    String[] lines = out.toString().split("\n");
    assertTrue(lines[0].matches("NAME +VERSION +STATE +REASON"), lines[0]);
    boolean simpleReady = false;
    for (String line : lines) {
      simpleReady |= line.matches("simple +1 +READY");
    }
    assertTrue(simpleReady, out.toString());
  }

  @Test
  void inferenceWithoutAModelShouldSayWhatIsMissing() {
    assertEquals(2, run("--url", target()));
    assertTrue(err.toString().contains("--model"), err.toString());
  }
}
