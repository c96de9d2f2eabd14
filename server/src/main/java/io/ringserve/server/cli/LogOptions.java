package io.ringserve.server.cli;

import io.ringserve.server.internal.log.LogFormat;
import java.util.logging.ConsoleHandler;
import java.util.logging.Filter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import picocli.CommandLine.Option;

/**
 * Triton's logging flags for {@code serve}: which severities are written ({@code --log-verbose},
 * {@code --log-info}, {@code --log-warning}, {@code --log-error}) and how ({@code --log-format},
 * with {@code json} added). Verbose output is the server's own debug records; the libraries' stay
 * at INFO so that verbose does not mean a flood of transport frames.
 *
 * <p>{@link #apply()} replaces the root logger's handlers once, at start; not thread-safe.
 */
final class LogOptions {
  // Held so that the configured level is not lost when the logger is garbage-collected.
  private static final Logger RINGSERVE = Logger.getLogger("io.ringserve");

  @Option(
      names = "--log-verbose",
      paramLabel = "LEVEL",
      defaultValue = "0",
      description =
          "Verbose logging: 0 off (default), 1 the server's debug records, 2 or more also its"
              + " trace records; also lets TensorFlow's native INFO lines through (./ringserve).")
  int verbose;

  @Option(
      names = "--log-info",
      paramLabel = "BOOL",
      defaultValue = "true",
      arity = "1",
      description = "Write INFO records (default: ${DEFAULT-VALUE}).")
  boolean info;

  @Option(
      names = "--log-warning",
      paramLabel = "BOOL",
      defaultValue = "true",
      arity = "1",
      description = "Write WARNING records (default: ${DEFAULT-VALUE}).")
  boolean warning;

  @Option(
      names = "--log-error",
      paramLabel = "BOOL",
      defaultValue = "true",
      arity = "1",
      description = "Write ERROR records (default: ${DEFAULT-VALUE}).")
  boolean error;

  @Option(
      names = "--log-format",
      paramLabel = "FORMAT",
      defaultValue = "default",
      description =
          "default (local time, one line per record), ISO8601 (UTC, as Triton) or json (one"
              + " object per line, for log collectors).")
  String format;

  /**
   * The layout {@code --log-format} names.
   *
   * @throws IllegalArgumentException naming the flag, for an unknown value
   */
  LogFormat format() {
    return LogFormat.parse(format);
  }

  /**
   * @throws IllegalArgumentException naming the flag, for a negative verbose level
   */
  Filter filter() {
    if (verbose < 0) {
      throw new IllegalArgumentException("--log-verbose must be 0 or more, got " + verbose);
    }
    return this::isLoggable;
  }

  /** Whether the severity switches let {@code record} through. */
  boolean isLoggable(LogRecord record) {
    int level = record.getLevel().intValue();
    if (level >= Level.SEVERE.intValue()) {
      return error;
    }
    if (level >= Level.WARNING.intValue()) {
      return warning;
    }
    if (level >= Level.INFO.intValue()) {
      return info;
    }
    return verbose > 0;
  }

  /** The level of the server's own loggers. */
  Level ringserveLevel() {
    return verbose <= 0 ? Level.INFO : verbose == 1 ? Level.FINE : Level.FINEST;
  }

  /**
   * Writes every record to standard error in the chosen format, through the severity switches.
   *
   * @throws IllegalArgumentException naming the flag out of range
   */
  void apply() {
    Filter filter = filter();
    LogFormat layout = format();
    Logger root = Logger.getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    Handler console = new ConsoleHandler();
    console.setLevel(Level.ALL);
    console.setFormatter(layout.formatter());
    console.setFilter(filter);
    root.addHandler(console);
    RINGSERVE.setLevel(ringserveLevel());
  }
}
