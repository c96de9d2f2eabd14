package io.ringserve.loadtest.compare;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine's own figures at one batch size, as the server's {@code EngineProbe} prints them: the
 * model called directly, no transport and no batcher.
 *
 * @param runs the runs measured
 * @param medianUsPerRun median wall time of one run (one batch)
 * @param cpuUsPerSample the probe process's CPU time per row of a batch
 */
record EngineSample(long batch, long runs, double medianUsPerRun, double cpuUsPerSample) {

  /**
   * Slices of one measurement, taken between the server's slices, as one: CPU per sample over all
   * their rows, the median of their medians, the batch size their runs had on average.
   *
   * @throws IllegalArgumentException if there are none
   */
  static EngineSample combine(List<EngineSample> slices) {
    if (slices.isEmpty()) {
      throw new IllegalArgumentException("no engine slice to combine");
    }
    long runs = 0;
    double rows = 0;
    double cpuUs = 0;
    for (EngineSample s : slices) {
      runs += s.runs;
      rows += s.runs * (double) s.batch;
      cpuUs += s.cpuUsPerSample * s.runs * s.batch;
    }
    double[] medians = slices.stream().mapToDouble(EngineSample::medianUsPerRun).toArray();
    return new EngineSample(
        Math.round(rows / Math.max(1, runs)), runs, Spread.of(medians).median(), cpuUs / rows);
  }

  /**
   * Reads an {@code engine key=value ...} line.
   *
   * @throws IllegalArgumentException if it is not one, or lacks a figure
   */
  static EngineSample parse(String line) {
    if (!line.startsWith("engine ")) {
      throw new IllegalArgumentException("not an engine figure line: " + line);
    }
    Map<String, String> values = new HashMap<>();
    for (String pair : line.substring("engine ".length()).trim().split(" +")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        values.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
    }
    try {
      return new EngineSample(
          Long.parseLong(values.get("batch")),
          Long.parseLong(values.get("runs")),
          Double.parseDouble(values.get("median_us_per_run")),
          Double.parseDouble(values.get("cpu_us_per_sample")));
    } catch (NullPointerException | NumberFormatException e) {
      throw new IllegalArgumentException("incomplete engine figure line: " + line, e);
    }
  }
}
