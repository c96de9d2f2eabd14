package io.ringserve.server.internal.log;

import io.ringserve.wire.JsonStrings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * The log line layouts of Triton's {@code --log-format}, plus {@code json}: one record per line in
 * each, so that a log collector never splits a record (a stack trace, in json, is one escaped
 * field). Stateless and thread-safe.
 */
public enum LogFormat {
  /** {@code 2026-01-31 12:00:00.123 INFO logger: message}, local time. */
  DEFAULT {
    @Override
    String line(LogRecord record, String message, String thrown) {
      return LOCAL.format(LocalDateTime.ofInstant(record.getInstant(), ZoneId.systemDefault()))
          + " "
          + String.format(Locale.ROOT, "%-7s", record.getLevel().getName())
          + " "
          + record.getLoggerName()
          + ": "
          + message
          + (thrown.isEmpty() ? "" : System.lineSeparator() + thrown.stripTrailing());
    }
  },
  /** Triton's ISO8601 layout: {@code 2026-01-31T12:00:00.123Z I logger] message}, UTC. */
  ISO8601 {
    @Override
    String line(LogRecord record, String message, String thrown) {
      return record.getInstant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)
          + " "
          + letter(record.getLevel())
          + " "
          + record.getLoggerName()
          + "] "
          + message
          + (thrown.isEmpty() ? "" : System.lineSeparator() + thrown.stripTrailing());
    }
  },
  /**
   * One JSON object per line: {@code timestamp} (ISO-8601, UTC), {@code level}, {@code logger},
   * {@code message}, and {@code exception} when there is one.
   */
  JSON {
    @Override
    String line(LogRecord record, String message, String thrown) {
      StringBuilder b = new StringBuilder(96 + message.length());
      b.append("{\"timestamp\":\"")
          .append(Instant.ofEpochMilli(record.getMillis()))
          .append("\",\"level\":\"")
          .append(levelName(record.getLevel()))
          .append("\",\"logger\":");
      JsonStrings.appendQuoted(b, String.valueOf(record.getLoggerName()));
      b.append(",\"message\":");
      JsonStrings.appendQuoted(b, message);
      if (!thrown.isEmpty()) {
        b.append(",\"exception\":");
        JsonStrings.appendQuoted(b, thrown.stripTrailing());
      }
      return b.append('}').toString();
    }
  };

  private static final DateTimeFormatter LOCAL =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS", Locale.ROOT);

  abstract String line(LogRecord record, String message, String thrown);

  /**
   * The format a {@code --log-format} value names, in any case.
   *
   * @throws IllegalArgumentException naming the flag and the values it takes
   */
  public static LogFormat parse(String value) {
    for (LogFormat f : values()) {
      if (f.name().equalsIgnoreCase(value.trim())) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "--log-format must be default, ISO8601 or json, got '" + value + "'");
  }

  /** A JUL formatter writing this layout, one record per call, ending with a line separator. */
  public Formatter formatter() {
    LogFormat format = this;
    return new Formatter() {
      @Override
      public String format(LogRecord record) {
        String thrown = "";
        if (record.getThrown() != null) {
          StringWriter w = new StringWriter();
          record.getThrown().printStackTrace(new PrintWriter(w));
          thrown = w.toString();
        }
        return format.line(record, formatMessage(record), thrown) + System.lineSeparator();
      }
    };
  }

  /** Triton's severity names: INFO, WARNING, ERROR, VERBOSE. */
  static String levelName(Level level) {
    return switch (letter(level)) {
      case 'E' -> "ERROR";
      case 'W' -> "WARNING";
      case 'I' -> "INFO";
      default -> "VERBOSE";
    };
  }

  static char letter(Level level) {
    int v = level.intValue();
    if (v >= Level.SEVERE.intValue()) {
      return 'E';
    }
    if (v >= Level.WARNING.intValue()) {
      return 'W';
    }
    return v >= Level.INFO.intValue() ? 'I' : 'V';
  }
}
