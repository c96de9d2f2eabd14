package io.ringserve.loadtest.cli;

import io.ringserve.loadtest.LoadReport;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The one line that says a run failed too often: how many calls failed, the share, the limit, and
 * the failures by status code, most frequent first. Stateless.
 */
final class ErrorLine {
  private ErrorLine() {}

  static String of(LoadReport r, double maxErrorRate) {
    String codes =
        r.statusCodeDistribution().entrySet().stream()
            .filter(e -> !"OK".equals(e.getKey()))
            .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
            .map(e -> e.getKey() + " " + e.getValue())
            .collect(Collectors.joining(", "));
    String where = r.concurrency() > 0 ? " at concurrency " + r.concurrency() : "";
    return String.format(
        Locale.ROOT,
        "%d of %d calls failed%s (%.2f %%, above --max-error-rate %s): %s",
        r.errorCount(),
        r.count(),
        where,
        100 * r.errorRate(),
        trim(maxErrorRate),
        codes);
  }

  private static String trim(double rate) {
    return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
  }
}
