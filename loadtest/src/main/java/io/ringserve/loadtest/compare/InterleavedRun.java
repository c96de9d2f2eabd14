package io.ringserve.loadtest.compare;

import io.ringserve.loadtest.LoadReport;
import io.ringserve.loadtest.LoadRunner;
import io.ringserve.loadtest.ServerStats;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One load's measurement in a round, taken in slices that alternate between RingServe, the engine
 * called directly at the batch size RingServe's slice formed, and the echo: a shared machine's
 * speed drifts over seconds, and the acceptance figures are ratios and differences of these three,
 * so each must meet the machine's speed of the same moments. Each server's connections are opened
 * and warmed once, before the first slice. Not thread-safe: one owner.
 */
final class InterleavedRun {
  /** A server's CPU time so far, in nanoseconds; negative when it cannot be read. */
  @FunctionalInterface
  interface CpuClock {
    long nanos() throws IOException, InterruptedException;
  }

  /** A server under load: the runner that loads it and the clock of its CPU. */
  record Side(LoadRunner runner, CpuClock cpu) {}

  /**
   * The three figures of a load in a round.
   *
   * @param engine null without a probe, or when RingServe reported no batch size
   * @param echo null for a load without an echo
   */
  record Result(Sample ringServe, EngineSample engine, Sample echo) {}

  private final int slices;
  private final EngineProbeProcess probe;
  private final Duration engineSlice;

  /**
   * @param probe null: no engine figures
   * @param engineTime the engine's measured time per round, shared among the slices
   */
  InterleavedRun(int slices, EngineProbeProcess probe, Duration engineTime) {
    if (slices < 1) {
      throw new IllegalArgumentException("slices must be at least 1, got " + slices);
    }
    this.slices = slices;
    this.probe = probe;
    this.engineSlice = engineTime.dividedBy(slices);
  }

  /**
   * Warms both servers for {@code warm}, then measures {@code slices} times: RingServe, the engine
   * (with a probe), the echo (if any).
   *
   * @param model the load's model, for the engine
   * @param loneRequests whether the load sends one request at a time (the engine then runs batch 1)
   */
  Result measure(String model, boolean loneRequests, Side ringServe, Side echo, Duration warm)
      throws IOException, InterruptedException {
    if (!warm.isZero()) {
      ringServe.runner().warmUp(warm);
      if (echo != null) {
        echo.runner().warmUp(warm);
      }
    }
    SlicedRun onRingServe = new SlicedRun();
    SlicedRun onEcho = new SlicedRun();
    List<EngineSample> engine = new ArrayList<>();
    for (int i = 0; i < slices; i++) {
      LoadReport served = slice(ringServe, onRingServe);
      ServerStats stats = served.server();
      if (probe != null && (loneRequests || (stats != null && stats.executionCount() > 0))) {
        long batch = loneRequests ? 1 : Math.max(1, Math.round(stats.averageBatchSize()));
        engine.add(probe.measure(model, batch, engineSlice));
      }
      if (echo != null) {
        slice(echo, onEcho);
      }
    }
    return new Result(
        onRingServe.sample(),
        engine.isEmpty() ? null : EngineSample.combine(engine),
        echo == null ? null : onEcho.sample());
  }

  private static LoadReport slice(Side side, SlicedRun into)
      throws IOException, InterruptedException {
    long serverBefore = side.cpu().nanos();
    long clientBefore = ProcessCpu.self();
    LoadReport r = side.runner().run();
    long clientAfter = ProcessCpu.self();
    long serverAfter = side.cpu().nanos();
    into.add(
        r,
        serverBefore < 0 || serverAfter < 0 ? -1 : serverAfter - serverBefore,
        clientAfter - clientBefore);
    return r;
  }
}
