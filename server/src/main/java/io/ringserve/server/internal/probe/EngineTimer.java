package io.ringserve.server.internal.probe;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * Times a {@link DirectModel} at one batch size: runs it back to back for a while unmeasured, then
 * for the measured time, with the pause asked before each run ({@link BetweenRuns}), reading the
 * wall time of every run and the process's CPU time (user + system, every thread: the engine's
 * native pools included) across all of them. Stateless.
 */
public final class EngineTimer {
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private EngineTimer() {}

  /**
   * The figures of one measurement.
   *
   * @param wallNanos the measured time, pauses between runs included
   * @param runNanos the wall time of the runs alone
   * @param medianRunNanos the median wall time of one run (one batch)
   * @param cpuNanos the process's CPU time across the measured time, pauses included (a spinning
   *     pause, and whatever other threads do while the timing thread parks)
   * @param betweenRuns the pause between runs
   */
  public record Figures(
      String model,
      long batch,
      long runs,
      long wallNanos,
      long runNanos,
      long medianRunNanos,
      long cpuNanos,
      BetweenRuns betweenRuns) {

    public double cpuUsPerSample() {
      return cpuNanos / 1e3 / runs / batch;
    }

    /** The mean wall time of one run, pauses left out. */
    public double meanRunUs() {
      return runNanos / 1e3 / runs;
    }

    /**
     * One line, {@code key=value} pairs after the word {@code engine}, which the comparison harness
     * reads back (the keys are its contract; more may be added at the end).
     */
    public String line() {
      return String.format(
          Locale.ROOT,
          "engine model=%s batch=%d runs=%d median_us_per_run=%.2f wall_us_per_run=%.2f"
              + " cpu_us_per_sample=%.3f cpu_us_per_run=%.2f between_runs=%s",
          model,
          batch,
          runs,
          medianRunNanos / 1e3,
          meanRunUs(),
          cpuUsPerSample(),
          cpuNanos / 1e3 / runs,
          betweenRuns);
    }
  }

  /**
   * Measures {@code model} at {@code batch}: {@code warmup} unmeasured, then at least {@code
   * measure} and at least one run, back to back.
   */
  public static Figures measure(
      DirectModel model, String name, long batch, Duration warmup, Duration measure)
      throws Exception {
    return measure(model, name, batch, warmup, measure, BetweenRuns.NONE);
  }

  /**
   * Measures {@code model} at {@code batch}: {@code warmup} unmeasured and back to back, then at
   * least {@code measure} and at least one run, each measured run after {@code between}.
   */
  public static Figures measure(
      DirectModel model,
      String name,
      long batch,
      Duration warmup,
      Duration measure,
      BetweenRuns between)
      throws Exception {
    long warmEnd = System.nanoTime() + warmup.toNanos();
    do {
      model.run(batch);
    } while (System.nanoTime() < warmEnd);
    long[] runs = new long[1024];
    int count = 0;
    long cpuBefore = OS.getProcessCpuTime();
    long start = System.nanoTime();
    long end = start + measure.toNanos();
    long now = start;
    long runTotal = 0;
    do {
      // Before the run, so that every measured run follows the pause, the first one included.
      between.pass();
      long before = System.nanoTime();
      model.run(batch);
      now = System.nanoTime();
      long ran = now - before;
      if (count == runs.length) {
        runs = Arrays.copyOf(runs, count * 2);
      }
      runs[count++] = ran;
      runTotal += ran;
    } while (now < end);
    long cpu = OS.getProcessCpuTime() - cpuBefore;
    long[] sorted = Arrays.copyOf(runs, count);
    Arrays.sort(sorted);
    return new Figures(name, batch, count, now - start, runTotal, sorted[count / 2], cpu, between);
  }
}
