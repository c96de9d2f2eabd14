package io.ringserve.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.server.testing.TestServers;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ringserve-infer} against the shared example server. */
class InferCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--url";
    all[1] = TestServers.shared().target();
    System.arraycopy(args, 0, all, 2, args.length);
    return new CommandLine(new InferCommand())
        .setOut(new PrintWriter(out))
        .setErr(new PrintWriter(err))
        .execute(all);
  }

  @Test
  void shouldPrintOutputsOfValuesGivenOnTheCommandLine() {
    int code =
        run(
            "--model", "simple",
            "--input", "INPUT0=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15",
            "--input", "INPUT1=[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]");
    assertEquals(0, code, err.toString());
    String text = out.toString();
    assertTrue(
        text.contains(
            "OUTPUT0 INT32 [1,16] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]"),
        text);
    assertTrue(text.contains("OUTPUT1 INT32 [1,16] = [-1, 0, 1,"), text);
  }

  @Test
  void shouldReadInputsFromAJsonFileAndPrintJson(@TempDir Path dir) throws Exception {
    Path inputs = dir.resolve("inputs.json");
    Files.writeString(
        inputs,
        "{\"inputs\": [{\"name\": \"INPUT0\", \"shape\": [1, 16], \"data\": [\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\",\"11\",\"12\",\"13\",\"14\",\"15\",\"16\"]},"
            + " {\"name\": \"INPUT1\", \"data\": [[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]]}]}");
    int code =
        run(
            "--model",
            "simple_string",
            "--inputs-json",
            inputs.toString(),
            "--json",
            "-o",
            "OUTPUT0");
    assertEquals(0, code, err.toString());
    String json = out.toString().strip();
    assertTrue(json.startsWith("{\"model_name\":\"simple_string\""), json);
    assertTrue(json.contains("\"name\":\"OUTPUT0\",\"datatype\":\"BYTES\",\"shape\":[1,16]"), json);
    assertTrue(json.contains("\"data\":[\"2\",\"3\","), json);
    assertTrue(!json.contains("OUTPUT1"), json);
  }

  @Test
  void shouldExplainAWrongValueCountWithoutCallingInference() {
    int code = run("--model", "simple", "--input", "INPUT0=1,2,3", "--input", "INPUT1=1,2,3");
    assertEquals(2, code);
    assertTrue(err.toString().contains("INPUT0"), err.toString());
  }

  @Test
  void shouldNameAMissingInputFileInOneLineAndExitTwo(@TempDir Path dir) {
    Path missing = dir.resolve("missing.json");
    String[][] cases = {
      {"--model", "simple", "--input", "INPUT0=@" + missing, "--input", "INPUT1=1"},
      {"--model", "simple", "--inputs-json", missing.toString()},
    };
    for (String[] args : cases) {
      err.getBuffer().setLength(0);
      int code = run(args);
      assertEquals(2, code, err.toString());
      assertEquals("error: no such file: " + missing, err.toString().strip());
    }
    // Read before the server is asked: reported as such with no server there.
    err.getBuffer().setLength(0);
    int code =
        new CommandLine(new InferCommand())
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err))
            .execute("--url", "127.0.0.1:1", "--model", "simple", "--input", "INPUT0=@" + dir);
    assertEquals(2, code, err.toString());
    assertEquals("error: cannot read " + dir + ": it is a folder", err.toString().strip());
  }

  @Test
  void shouldExitOneWhenTheServerRefuses() {
    int code = run("--model", "nope", "--input", "X=1");
    assertEquals(1, code);
    assertTrue(err.toString().contains("NOT_FOUND"), err.toString());
  }
}
