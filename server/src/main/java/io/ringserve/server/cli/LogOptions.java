package io.ringserve.server.cli;

import io.ringserve.server.internal.log.LogFormat;
import io.ringserve.server.internal.log.LogSettings;
import picocli.CommandLine.Option;

/**
 * Triton's logging flags for {@code serve}: which severities are written ({@code --log-verbose},
 * {@code --log-info}, {@code --log-warning}, {@code --log-error}) and how ({@code --log-format},
 * with {@code json} added). Verbose output is the server's own debug records; the libraries' stay
 * at INFO so that verbose does not mean a flood of transport frames.
 *
 * <p>{@link #apply()} replaces the root logger's handlers once, at start ({@link LogSettings}); not
 * thread-safe.
 */
final class LogOptions {
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
   * The settings the flags ask for.
   *
   * @throws IllegalArgumentException naming the flag, for a negative verbose level or an unknown
   *     format
   */
  LogSettings settings() {
    return LogSettings.of(info, warning, error, verbose, format());
  }

  /**
   * Makes the flags the process's log settings and writes every record to standard error through
   * them (the logging extension may change them later).
   *
   * @throws IllegalArgumentException naming the flag out of range
   */
  void apply() {
    LogSettings.install(settings());
  }
}
