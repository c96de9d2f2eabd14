package io.ringserve.loadtest.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringserve.server.testing.ExampleRepository;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The out-of-process comparison with tiny durations: it starts the packaged server and the echo in
 * JVMs of their own, reads both processes' CPU, and reports every figure with its spread. Needs
 * {@code server/target/ringserve-server.jar}, which the reactor packages before this module's
 * tests.
 */
@Timeout(180)
class CompareCommandTest {
  private static final Path SERVER_JAR = Path.of("..", "server", "target", "ringserve-server.jar");

  @Test
  void shouldCompareTheServerWithTheEchoInSeparateProcesses(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isRegularFile(SERVER_JAR), "the server jar is packaged by the reactor");
    Path table = dir.resolve("compare.md");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int status =
        CompareCommand.execute(
            new String[] {
              "--server-jar",
              SERVER_JAR.toString(),
              "--server-arg=--model-repository=" + ExampleRepository.only("simple"),
              "--case",
              "simple-c32",
              "--rounds",
              "2",
              "-z",
              "300ms",
              "--warmup",
              "200ms",
              "-o",
              table.toString()
            },
            new PrintWriter(out, true),
            new PrintWriter(err, true));

    assertEquals(0, status, err + "\n" + out);
    String md = Files.readString(table);
    System.out.println(md);
    for (String load : new String[] {"simple-c32", "simple-c32 echo"}) {
      Matcher cpu =
          Pattern.compile(
                  "\\| " + Pattern.quote(load) + " \\| server CPU us/request \\| ([0-9.]+) \\|")
              .matcher(md);
      assertTrue(cpu.find(), "server CPU of " + load + " in\n" + md);
      assertTrue(Double.parseDouble(cpu.group(1)) > 0, md);
      assertTrue(md.contains("| " + load + " | client CPU us/request |"), md);
      assertTrue(md.contains("| " + load + " | requests/s (OK) |"), md);
    }
    assertTrue(md.contains("| simple-c32 | avg batch formed |"), md);
    assertTrue(
        md.contains("| simple-c32 echo, minimal client | client CPU us/request |"),
        "the yardstick of the client's cost: " + md);
    assertTrue(md.matches("(?s).*\\| simple-c32 \\| [0-9.]+x \\| [0-9.]+x \\| [0-9.]+x \\|.*"), md);
  }

  @Test
  void shouldReadUserPlusSystemTimeFromProcStat() {
    String stat = "4242 (java (x) y) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 30 0 100 2000 300 0";

    assertEquals(3_000_000_000L, ProcessCpu.parseStat(stat));
  }

  @Test
  void shouldReadTheProcessCpuCounterFromPrometheusText() {
    String text = "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 12.5\n";

    assertEquals(12_500_000_000L, ProcessCpu.parseMetric(text));
    assertEquals(-1, ProcessCpu.parseMetric("nv_inference_count 3\n"));
  }
}
