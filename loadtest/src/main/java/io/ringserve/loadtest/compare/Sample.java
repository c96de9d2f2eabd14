package io.ringserve.loadtest.compare;

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
    long errors) {}
