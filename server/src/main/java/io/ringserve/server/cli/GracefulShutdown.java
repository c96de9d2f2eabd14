package io.ringserve.server.cli;

import io.ringserve.server.RingServeServer;
import io.ringserve.server.internal.metrics.MetricsServer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * Stops a serving process the way Kubernetes expects: on SIGTERM (or SIGINT) a log line, readiness
 * false at once while serving goes on for the drain delay (so that endpoints and load balancers
 * stop sending first), then the server's graceful stop ({@link RingServeServer#close()}: GOAWAY,
 * queued and running requests finish within {@code --exit-timeout-secs}), then exit status 0. A
 * second signal cuts the drain delay short.
 *
 * <p>The signals are handled here rather than by a shutdown hook alone because a JVM ended by a
 * signal exits with 128 + its number (143 for SIGTERM), which orchestrators report as a failure. A
 * shutdown hook remains for every other way the JVM ends.
 *
 * <p>Thread-safe: the stop runs once, on its own thread, whoever asks first.
 */
final class GracefulShutdown {
  private static final System.Logger LOG = System.getLogger(GracefulShutdown.class.getName());

  private final RingServeServer server;
  private final MetricsServer metrics;
  private final Duration drainDelay;
  private final AtomicBoolean begun = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);

  /**
   * @param metrics the metrics server to close last, or {@code null}
   */
  GracefulShutdown(RingServeServer server, MetricsServer metrics, Duration drainDelay) {
    this.server = server;
    this.metrics = metrics;
    this.drainDelay = drainDelay;
  }

  /** Takes over SIGTERM and SIGINT and adds the shutdown hook. */
  void install() {
    handle("TERM");
    handle("INT");
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (begin()) {
                    stop("JVM shutdown");
                  } else {
                    awaitStopped();
                  }
                },
                "ringserve-shutdown-hook"));
  }

  private void handle(String name) {
    try {
      Signal.handle(new Signal(name), signal -> onSignal("SIG" + signal.getName()));
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      // Not on this platform, or the JVM keeps it (-Xrs): the shutdown hook still stops gracefully.
      LOG.log(System.Logger.Level.DEBUG, "cannot handle SIG" + name + ": " + e.getMessage());
    }
  }

  private void onSignal(String what) {
    if (!begin()) {
      LOG.log(System.Logger.Level.INFO, "{0} received again: ending the drain delay now", what);
      server.endDrainDelay();
      return;
    }
    // Off the signal dispatcher, which must stay free to deliver a second signal.
    Thread stopper = new Thread(() -> stop(what), "ringserve-shutdown");
    stopper.start();
  }

  private boolean begin() {
    return begun.compareAndSet(false, true);
  }

  private void stop(String why) {
    try {
      LOG.log(
          System.Logger.Level.INFO,
          "{0} received: not ready from now on; serving for {1} s (--shutdown-drain-delay), then"
              + " stopping",
          why,
          drainDelay.toSeconds());
      server.drainAndClose(drainDelay);
      if (metrics != null) {
        metrics.close();
      }
    } catch (RuntimeException | Error e) {
      LOG.log(System.Logger.Level.ERROR, "error while stopping", e);
    } finally {
      stopped.countDown();
    }
  }

  /** Blocks until a stop, begun by a signal or the JVM's shutdown, has finished. */
  void awaitStopped() {
    boolean interrupted = false;
    while (true) {
      try {
        stopped.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
