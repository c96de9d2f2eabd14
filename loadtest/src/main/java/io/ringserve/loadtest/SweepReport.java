package io.ringserve.loadtest;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A perf_analyzer-style sweep: one {@link LoadReport} per concurrency level, in the order run.
 * Immutable and thread-safe.
 *
 * @param date when the sweep finished
 * @param spec the spec every level ran with (its concurrency replaced by each level's)
 * @param levels one report per level; fewer than asked if the sweep was cancelled
 */
public record SweepReport(Instant date, LoadSpec spec, List<LoadReport> levels) {
  public SweepReport {
    Objects.requireNonNull(date, "date");
    Objects.requireNonNull(spec, "spec");
    levels = List.copyOf(levels);
  }
}
