package io.ringserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class EngineProbeTest {
  @Test
  void shouldRefuseABadPauseOrDurationAsAUsageErrorNamingTheOptionAndTheForm() {
    String[][] cases = {
      {"--between-runs", "sleep:1ms", "park:DURATION or spin:DURATION"},
      {"--duration", "5 seconds", "such as 400us, 500ms, 3s or 2m"},
      {"--warmup", "-1s", "such as 400us, 500ms, 3s or 2m"},
    };
    for (String[] c : cases) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      CommandLine command = new CommandLine(new EngineProbe(new PrintWriter(out, true)));
      command.setErr(new PrintWriter(err, true));

      int status = command.execute("--model", "mlp", "--batch", "1", c[0], c[1]);

      assertEquals(2, status, err.toString());
      assertTrue(err.toString().contains(c[0]), err.toString());
      assertTrue(err.toString().contains(c[2]), err.toString());
      assertEquals("", out.toString());
    }
  }
}
