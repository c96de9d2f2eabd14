package io.ringserve.pipeline.files;

import java.util.Locale;

/** The record formats of files and standard input/output. */
public enum FileFormat {
  /** One JSON object per line (also {@code .ndjson}, {@code .json}). */
  JSONL,
  /** Comma-separated values with a header row (RFC 4180 quoting). */
  CSV,
  /** Apache Parquet (files only: its footer comes last). */
  PARQUET;

  /**
   * The format a file name says, or {@code null} if its extension is not one of ours.
   *
   * @param fileName a name such as {@code scored.jsonl} or {@code transactions.csv}
   */
  public static FileFormat byExtension(String fileName) {
    String name = fileName.toLowerCase(Locale.ROOT);
    if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) {
      return JSONL;
    }
    if (name.endsWith(".csv")) {
      return CSV;
    }
    if (name.endsWith(".parquet")) {
      return PARQUET;
    }
    return null;
  }

  /**
   * A format by its name on the command line ({@code jsonl}, {@code csv}, {@code parquet}).
   *
   * @throws IllegalArgumentException naming the formats there are
   */
  public static FileFormat parse(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown format '" + name + "'; the formats are jsonl, csv and parquet");
    }
  }
}
