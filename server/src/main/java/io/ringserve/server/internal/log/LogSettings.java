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
 * <p>Thread-safe: readers see each switch as last set; an update checks every setting it names
 * before changing any.
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

  private static final LogSettings PROCESS = of(true, true, true, 0, LogFormat.DEFAULT);

  private volatile boolean info;
  private volatile boolean warning;
  private volatile boolean error;
  private volatile int verbose;
  private volatile LogFormat format;

  // @GuardedBy("this"): the handler installed at start, whose layout follows log_format; null
  // until then (a process that never installs one keeps Java's own handlers).
  private Handler console;

  private LogSettings(boolean info, boolean warning, boolean error, int verbose, LogFormat format) {
    this.info = info;
    this.warning = warning;
    this.error = error;
    this.verbose = verbose;
    this.format = format;
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
    return new LogSettings(info, warning, error, verbose, Objects.requireNonNull(format, "format"));
  }

  /** The process's settings, which its log handler follows once {@link #install}ed. */
  public static LogSettings process() {
    return PROCESS;
  }

  /**
   * Takes {@code startup}'s settings and writes every record to standard error through them,
   * replacing the root logger's handlers.
   */
  public synchronized void install(LogSettings startup) {
    Logger root = Logger.getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    console = new ConsoleHandler();
    console.setLevel(Level.ALL);
    console.setFilter(this::isLoggable);
    root.addHandler(console);
    apply(startup.info, startup.warning, startup.error, startup.verbose, startup.format);
  }

  /**
   * The level of the server's own loggers: verbose opens them to FINE (1) or FINEST (2 or more).
   */
  public Level ringserveLevel() {
    int v = verbose;
    return v <= 0 ? Level.INFO : v == 1 ? Level.FINE : Level.FINEST;
  }

  /** Whether the severity switches let {@code record} through. */
  public boolean isLoggable(LogRecord record) {
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

  /** Every setting, by Triton's name: Boolean, Long (the verbose level) or String. */
  public synchronized Map<String, Object> current() {
    Map<String, Object> settings = new LinkedHashMap<>();
    // Records go to standard error only; there is no log file to name.
    settings.put(FILE, "");
    settings.put(INFO, info);
    settings.put(WARNING, warning);
    settings.put(ERROR, error);
    settings.put(VERBOSE, (long) verbose);
    settings.put(
        FORMAT, format == LogFormat.ISO8601 ? "ISO8601" : format.name().toLowerCase(Locale.ROOT));
    return settings;
  }

  /**
   * Changes the settings named in {@code changes} (values as {@link #current()} gives them) and
   * leaves the others; changes nothing if any is unknown or of the wrong kind.
   *
   * @throws IllegalArgumentException naming the first setting that cannot be applied
   */
  public synchronized void update(Map<String, ?> changes) {
    boolean newInfo = info;
    boolean newWarning = warning;
    boolean newError = error;
    int newVerbose = verbose;
    LogFormat newFormat = format;
    for (Map.Entry<String, ?> e : changes.entrySet()) {
      String key = e.getKey();
      Object value = e.getValue();
      switch (key) {
        case INFO -> newInfo = bool(key, value);
        case WARNING -> newWarning = bool(key, value);
        case ERROR -> newError = bool(key, value);
        case VERBOSE -> newVerbose = verboseLevel(value);
        case FORMAT -> newFormat = format(value);
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
    apply(newInfo, newWarning, newError, newVerbose, newFormat);
  }

  private void apply(boolean info, boolean warning, boolean error, int verbose, LogFormat format) {
    this.info = info;
    this.warning = warning;
    this.error = error;
    this.verbose = verbose;
    this.format = format;
    if (this == PROCESS) {
      RINGSERVE.setLevel(ringserveLevel());
    }
    if (console != null) {
      console.setFormatter(format.formatter());
    }
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
      for (LogFormat f : LogFormat.values()) {
        if (f.name().equalsIgnoreCase(name.trim())) {
          return f;
        }
      }
    }
    throw new IllegalArgumentException(
        "log setting '" + FORMAT + "' must be \"default\", \"ISO8601\" or \"json\"");
  }
}
