package io.ringserve.loadtest.compare;

import io.ringserve.loadtest.LoadReport;
import io.ringserve.loadtest.ServerStats;

/**
 * The figures of one measured run against one server, CPU times per successful request.
 *
 * @param serverCpuUsPerRequest NaN when the server's CPU could not be read
 * @param averageBatch NaN when the server offers no statistics (the echo)
 */
record Sample(
    double requestsPerSecond,
    double inferencesPerSecond,
    double p50Us,
    double serverCpuUsPerRequest,
    double clientCpuUsPerRequest,
    double averageBatch,
    long errors) {

  static Sample of(LoadReport r, long serverCpuNanos, long clientCpuNanos) {
    long ok = Math.max(1, r.okCount());
    ServerStats s = r.server();
    return new Sample(
        r.rps(),
        r.inferencesPerSecond(),
        r.percentile(50).toNanos() / 1e3,
        serverCpuNanos < 0 ? Double.NaN : serverCpuNanos / 1e3 / ok,
        clientCpuNanos / 1e3 / ok,
        s == null || s.executionCount() == 0 ? Double.NaN : s.averageBatchSize(),
        r.errorCount());
  }
}
