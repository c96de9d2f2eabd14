package io.ringserve.loadtest.compare;

import io.ringserve.loadtest.LoadReport;
import io.ringserve.loadtest.ServerStats;
import org.HdrHistogram.Histogram;

/**
 * One server's measurement of a load in a round, taken in slices that alternate with the other
 * server's, summed into one {@link Sample}: calls, time, CPU and the server's executions add up,
 * and the latencies' histograms merge. Not thread-safe: one owner.
 */
final class SlicedRun {
  private long ok;
  private long errors;
  private double inferences;
  private long nanos;
  private long serverCpuNanos;
  private long clientCpuNanos;
  private long executions;
  private long executedInferences;
  private boolean serverStatsInEverySlice = true;
  private Histogram latencies;

  /**
   * Adds one slice.
   *
   * @param serverCpuNanos the server's CPU time over the slice; negative when it could not be read,
   *     which leaves the run's server CPU unknown
   */
  void add(LoadReport slice, long serverCpuNanos, long clientCpuNanos) {
    ok += slice.okCount();
    errors += slice.errorCount();
    inferences += slice.okCount() * (double) slice.spec().batchSize();
    nanos += slice.total().toNanos();
    this.serverCpuNanos =
        this.serverCpuNanos < 0 || serverCpuNanos < 0 ? -1 : this.serverCpuNanos + serverCpuNanos;
    this.clientCpuNanos += clientCpuNanos;
    ServerStats s = slice.server();
    if (s == null) {
      serverStatsInEverySlice = false;
    } else {
      executions += s.executionCount();
      executedInferences += s.inferenceCount();
    }
    if (latencies == null) {
      latencies = slice.latencyHistogram();
    } else {
      latencies.add(slice.latencyHistogram());
    }
  }

  /** The slices as one run: its rates over the slices' time, its CPU per successful request. */
  Sample sample() {
    if (latencies == null) {
      throw new IllegalStateException("no slice added");
    }
    double seconds = nanos / 1e9;
    long perRequest = Math.max(1, ok);
    return new Sample(
        seconds <= 0 ? 0 : ok / seconds,
        seconds <= 0 ? 0 : inferences / seconds,
        latencies.getTotalCount() == 0 ? 0 : latencies.getValueAtPercentile(50) / 1e3,
        serverCpuNanos < 0 ? Double.NaN : serverCpuNanos / 1e3 / perRequest,
        clientCpuNanos / 1e3 / perRequest,
        !serverStatsInEverySlice || executions == 0
            ? Double.NaN
            : executedInferences / (double) executions,
        errors);
  }
}
