package io.ringserve.server.internal.log;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The process's log settings, with Triton's names: which severities are written ({@code log_info},
 * {@code log_warning}, {@code log_error}, {@code log_verbose_level}) and how ({@code log_format}),
 * set at start from {@code serve}'s flags and changed while serving through the logging extension
 * ({@code LogSettings} over gRPC, {@code /v2/logging} over REST).
 *
 * <p>Why one per process: Java's logging writes through the root logger's handlers, which every
 * part of the process shares, so the switches that filter them are the process's too. Verbose
 * output is the server's own debug records; the libraries' stay at INFO so that verbose does not
 * mean a flood of transport frames.
 *
 * <p>Thread-safe: the switches are one immutable value, replaced whole, so a reader never sees half
 * of an update; an update checks every setting it names before changing any.
 */
public final class LogSettings {
  /** Triton's setting names, in the order answers list them. */
  public static final String FILE = "log_file";

  public static final String INFO = "log_info";
  public static final String WARNING = "log_warning";
  public static final String ERROR = "log_error";
  public static final String VERBOSE = "log_verbose_level";
  public static final String FORMAT = "log_format";

  // Held so that the configured level is not lost when the logger is garbage-collected.
  private static final Logger RINGSERVE = Logger.getLogger("io.ringserve");

  private static final LogSettings PROCESS =
      new LogSettings(new Switches(true, true, true, 0, LogFormat.DEFAULT));

  /** One set of settings. */
  private record Switches(
      boolean info, boolean warning, boolean error, int verbose, LogFormat format) {}

  private volatile Switches switches;

  // @GuardedBy("this"): the handler installed at start, whose layout follows log_format; null
  // until then (a process that never installs one keeps Java's own handlers).
  private Handler console;

  private LogSettings(Switches switches) {
    this.switches = switches;
  }

  /**
   * Settings of their own, not the process's (for example, what start-up flags ask for).
   *
   * @throws IllegalArgumentException for a negative verbose level
   */
  public static LogSettings of(
      boolean info, boolean warning, boolean error, int verbose, LogFormat format) {
    if (verbose < 0) {
      throw new IllegalArgumentException("--log-verbose must be 0 or more, got " + verbose);
    }
    return new LogSettings(
        new Switches(info, warning, error, verbose, Objects.requireNonNull(format, "format")));
  }

  /** The process's settings, which its log handler follows once {@link #install}ed. */
  public static LogSettings process() {
    return PROCESS;
  }

  /**
   * Gives the process {@code startup}'s settings and writes every record to standard error through
   * them, replacing the root logger's handlers.
   */
  public static void install(LogSettings startup) {
    synchronized (PROCESS) {
      Logger root = Logger.getLogger("");
      for (Handler h : root.getHandlers()) {
        root.removeHandler(h);
      }
      PROCESS.console = new ConsoleHandler();
      PROCESS.console.setLevel(Level.ALL);
      PROCESS.console.setFilter(PROCESS::isLoggable);
      root.addHandler(PROCESS.console);
      PROCESS.apply(startup.switches);
    }
  }

  /** Whether the severity switches let {@code record} through. */
  public boolean isLoggable(LogRecord record) {
    Switches s = switches;
    int level = record.getLevel().intValue();
    if (level >= Level.SEVERE.intValue()) {
      return s.error();
    }
    if (level >= Level.WARNING.intValue()) {
      return s.warning();
    }
    if (level >= Level.INFO.intValue()) {
      return s.info();
    }
    return s.verbose() > 0;
  }

  /**
   * The level of the server's own loggers: verbose opens them to FINE (1) or FINEST (2 or more).
   */
  public Level ringserveLevel() {
    int v = switches.verbose();
    return v <= 0 ? Level.INFO : v == 1 ? Level.FINE : Level.FINEST;
  }

  /** Every setting, by Triton's name: Boolean, Long (the verbose level) or String. */
  public Map<String, Object> current() {
    return asMap(switches);
  }

  /**
   * Changes the settings named in {@code changes} (values as {@link #current()} gives them) and
   * leaves the others; changes nothing if any is unknown or of the wrong kind.
   *
   * @return every setting after the change
   * @throws IllegalArgumentException naming the first setting that cannot be applied
   */
  public synchronized Map<String, Object> update(Map<String, ?> changes) {
    Switches s = switches;
    boolean info = s.info();
    boolean warning = s.warning();
    boolean error = s.error();
    int verbose = s.verbose();
    LogFormat format = s.format();
    for (Map.Entry<String, ?> e : changes.entrySet()) {
      String key = e.getKey();
      Object value = e.getValue();
      switch (key) {
        case INFO -> info = bool(key, value);
        case WARNING -> warning = bool(key, value);
        case ERROR -> error = bool(key, value);
        case VERBOSE -> verbose = verboseLevel(value);
        case FORMAT -> format = format(value);
        case FILE -> {
          if (!"".equals(value)) {
            throw new IllegalArgumentException(
                "log setting '"
                    + FILE
                    + "' can only be \"\": this server writes its log to standard error");
          }
        }
        default ->
            throw new IllegalArgumentException(
                "unknown log setting '"
                    + key
                    + "'; the settings are "
                    + String.join(", ", current().keySet()));
      }
    }
    Switches changed = new Switches(info, warning, error, verbose, format);
    apply(changed);
    return asMap(changed);
  }

  private synchronized void apply(Switches changed) {
    switches = changed;
    if (this == PROCESS) {
      RINGSERVE.setLevel(ringserveLevel());
    }
    if (console != null) {
      console.setFormatter(changed.format().formatter());
    }
  }

  private static Map<String, Object> asMap(Switches s) {
    Map<String, Object> settings = new LinkedHashMap<>();
    // Records go to standard error only; there is no log file to name.
    settings.put(FILE, "");
    settings.put(INFO, s.info());
    settings.put(WARNING, s.warning());
    settings.put(ERROR, s.error());
    settings.put(VERBOSE, (long) s.verbose());
    settings.put(
        FORMAT,
        s.format() == LogFormat.ISO8601 ? "ISO8601" : s.format().name().toLowerCase(Locale.ROOT));
    return settings;
  }

  private static boolean bool(String key, Object value) {
    if (value instanceof Boolean b) {
      return b;
    }
    throw new IllegalArgumentException("log setting '" + key + "' must be a boolean");
  }

  private static int verboseLevel(Object value) {
    if (value instanceof Long level && level >= 0 && level <= Integer.MAX_VALUE) {
      return level.intValue();
    }
    throw new IllegalArgumentException(
        "log setting '" + VERBOSE + "' must be an unsigned integer up to " + Integer.MAX_VALUE);
  }

  private static LogFormat format(Object value) {
    if (value instanceof String name) {
      try {
        return LogFormat.parse(name);
      } catch (IllegalArgumentException unknown) {
        // Falls through: its message names the flag, this one the setting.
      }
    }
    throw new IllegalArgumentException(
        "log setting '" + FORMAT + "' must be \"default\", \"ISO8601\" or \"json\"");
  }
}
