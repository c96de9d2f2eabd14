package io.ringserve.loadtest;

import io.ringserve.loadtest.internal.CsvReport;
import io.ringserve.loadtest.internal.HtmlReport;
import io.ringserve.loadtest.internal.JsonReport;
import io.ringserve.loadtest.internal.SummaryReport;
import java.io.IOException;
import java.io.Writer;
import java.util.Locale;

/**
 * The ways a report can be written ({@code -O}). Stateless; each write formats the whole report in
 * memory first (reports are small: no per-call rows).
 */
public enum ReportFormat {
  /** ghz's text summary; for a sweep, perf_analyzer's table. */
  SUMMARY,
  /** Compact JSON with ghz's field names. */
  JSON,
  /** The same JSON, indented. */
  PRETTY,
  /** One row per measurement (per level in a sweep). */
  CSV,
  /** One self-contained HTML page with charts. */
  HTML;

  /** Writes {@code report} to {@code out} (not closed). */
  public void write(LoadReport report, Writer out) throws IOException {
    switch (this) {
      case SUMMARY -> SummaryReport.write(report, out);
      case JSON -> JsonReport.write(report, out, "");
      case PRETTY -> JsonReport.write(report, out, "  ");
      case CSV -> CsvReport.write(report, out);
      case HTML -> HtmlReport.write(report, out);
    }
    if (this == JSON || this == PRETTY) {
      out.write(System.lineSeparator());
    }
    out.flush();
  }

  /** Writes {@code sweep} to {@code out} (not closed). */
  public void write(SweepReport sweep, Writer out) throws IOException {
    switch (this) {
      case SUMMARY -> SummaryReport.write(sweep, out);
      case JSON -> JsonReport.write(sweep, out, "");
      case PRETTY -> JsonReport.write(sweep, out, "  ");
      case CSV -> CsvReport.write(sweep, out);
      case HTML -> HtmlReport.write(sweep, out);
    }
    if (this == JSON || this == PRETTY) {
      out.write(System.lineSeparator());
    }
    out.flush();
  }

  /**
   * The format named {@code name}, case-insensitively.
   *
   * @throws IllegalArgumentException listing the known names
   */
  public static ReportFormat parse(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown report format '" + name + "' (summary, json, pretty, csv, html)", e);
    }
  }
}
