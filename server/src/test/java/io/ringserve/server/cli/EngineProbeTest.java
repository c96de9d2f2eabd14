package io.ringserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class EngineProbeTest {
  @Test
  void aBadPauseBetweenRunsIsAUsageErrorNamingTheOptionAndTheForm() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine command = new CommandLine(new EngineProbe(new PrintWriter(out, true)));
    command.setErr(new PrintWriter(err, true));

    int status = command.execute("--model", "mlp", "--batch", "1", "--between-runs", "sleep:1ms");

    assertEquals(2, status, err.toString());
    assertTrue(err.toString().contains("--between-runs"), err.toString());
    assertTrue(err.toString().contains("park:DURATION or spin:DURATION"), err.toString());
    assertEquals("", out.toString());
  }
}
