package io.ringserve.loadtest.compare;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The CPU time a server process has used so far, user plus system, read before and after a
 * measurement. Locally it comes from {@code /proc/PID/stat} (any process, no cooperation needed);
 * for a remote server from the Prometheus counter {@code process_cpu_seconds_total} on its metrics
 * endpoint, when it offers one. Stateless; each read costs a file read or one HTTP GET.
 */
public final class ProcessCpu {
  /** Linux's USER_HZ, the unit of {@code utime} and {@code stime}; 100 on every mainstream ABI. */
  private static final long TICKS_PER_SECOND = 100;

  /** Prometheus's standard name for a process's CPU time. */
  static final String METRIC = "process_cpu_seconds_total";

  private ProcessCpu() {}

  /** CPU nanoseconds used by process {@code pid}, from {@code /proc}. */
  public static long ofPid(long pid) throws IOException {
    return parseStat(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
  }

  /** CPU nanoseconds used by this process. */
  public static long self() throws IOException {
    return ofPid(ProcessHandle.current().pid());
  }

  /** Whether {@code /proc} can be read here (Linux). */
  public static boolean procAvailable() {
    return Files.isReadable(Path.of("/proc/self/stat"));
  }

  /**
   * utime + stime of one {@code /proc/PID/stat} line, in nanoseconds. The command name (field 2)
   * may hold spaces and parentheses, so fields are counted from the last ')'.
   */
  static long parseStat(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
    // f[0] is field 3 (state); utime and stime are fields 14 and 15.
    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
    return ticks * (1_000_000_000L / TICKS_PER_SECOND);
  }

  /**
   * CPU nanoseconds from {@code process_cpu_seconds_total} at {@code metricsUrl}, or -1 when the
   * endpoint does not offer the counter.
   */
  public static long fromMetrics(URI metricsUrl) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<InputStream> r =
        http.send(
            HttpRequest.newBuilder(metricsUrl).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = r.body()) {
      if (r.statusCode() != 200) {
        return -1;
      }
      return parseMetric(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /** The value of {@link #METRIC} in a Prometheus text exposition, in nanoseconds, or -1. */
  static long parseMetric(String exposition) {
    for (String line : exposition.split("\n")) {
      if (line.startsWith(METRIC + " ") || line.startsWith(METRIC + "{")) {
        String value = line.substring(line.lastIndexOf(' ') + 1).trim();
        return (long) (Double.parseDouble(value) * 1e9);
      }
    }
    return -1;
  }
}
