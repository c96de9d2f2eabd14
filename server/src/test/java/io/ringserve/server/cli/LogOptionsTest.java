package io.ringserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringserve.server.internal.log.LogFormat;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LogOptionsTest {

  private static LogOptions parse(String... args) {
    ServeCommand serve = new ServeCommand();
    new CommandLine(serve).parseArgs(args);
    return serve.logging;
  }

  private static LogRecord record(Level level, String message) {
    LogRecord r = new LogRecord(level, message);
    r.setLoggerName("io.ringserve.Test");
    return r;
  }

  @Test
  void byDefaultInfoWarningAndErrorAreWrittenAndVerboseIsNot() {
    LogOptions options = parse();

    assertTrue(options.settings().isLoggable(record(Level.INFO, "i")));
    assertTrue(options.settings().isLoggable(record(Level.WARNING, "w")));
    assertTrue(options.settings().isLoggable(record(Level.SEVERE, "e")));
    assertFalse(options.settings().isLoggable(record(Level.FINE, "v")));
    assertEquals(Level.INFO, options.settings().ringserveLevel());
  }

  @Test
  void tritonsSeveritySwitchesTurnEachLevelOffAndVerboseOn() {
    LogOptions options =
        parse("--log-info=false", "--log-warning=false", "--log-error=true", "--log-verbose=1");

    assertFalse(options.settings().isLoggable(record(Level.INFO, "i")));
    assertFalse(options.settings().isLoggable(record(Level.WARNING, "w")));
    assertTrue(options.settings().isLoggable(record(Level.SEVERE, "e")));
    assertTrue(options.settings().isLoggable(record(Level.FINE, "v")));
    assertEquals(Level.FINE, options.settings().ringserveLevel());
    assertFalse(parse("--log-error=false").settings().isLoggable(record(Level.SEVERE, "e")));
  }

  @Test
  void jsonIsOneParseableObjectPerRecordEvenWithAStackTrace() throws Exception {
    LogRecord r = record(Level.WARNING, "model {0} said \"no\"\nsecond line");
    r.setParameters(new Object[] {"mlp"});
    r.setThrown(new IllegalStateException("boom"));

    String line = parse("--log-format=json").format().formatter().format(r);

    assertEquals(1, line.strip().lines().count(), line);
    JsonNode json = new ObjectMapper().readTree(line);
    assertEquals("WARNING", json.get("level").asText());
    assertEquals("io.ringserve.Test", json.get("logger").asText());
    assertEquals("model mlp said \"no\"\nsecond line", json.get("message").asText());
    assertTrue(json.get("exception").asText().contains("IllegalStateException: boom"));
    assertTrue(json.get("timestamp").asText().endsWith("Z"), line);
  }

  @Test
  void iso8601IsUtcWithTritonsSeverityLetter() {
    String line =
        parse("--log-format=ISO8601").format().formatter().format(record(Level.SEVERE, "x"));

    assertTrue(
        line.matches(
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z E io\\.ringserve\\.Test\\] x\\R"),
        line);
    assertEquals(LogFormat.ISO8601, parse("--log-format=iso8601").format());
  }

  @Test
  void anUnknownFormatIsRefusedByNameBeforeAnythingStarts() {
    StringWriter err = new StringWriter();
    CommandLine command = new CommandLine(new RingServeCommand());
    command.setErr(new PrintWriter(err));

    int exit = command.execute("serve", "--log-format=xml", "--grpc-port=0");

    assertEquals(2, exit, err.toString());
    assertTrue(
        err.toString().contains("--log-format must be default, ISO8601 or json, got 'xml'"),
        err.toString());
  }
}
