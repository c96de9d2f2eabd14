package io.ringserve.loadtest;

/**
 * Told how far a measurement has got, a few times a second, for progress bars.
 *
 * <p>Called from the runner's sampling thread, never concurrently with itself; it must return
 * quickly because the same thread samples the latency histogram.
 */
@FunctionalInterface
public interface ProgressListener {
  /** Ignores progress. */
  ProgressListener NONE = (phase, fraction, completed) -> {};

  /**
   * @param phase what is running, for example {@code "warmup"} or {@code "c=8"}
   * @param fraction how much of the run's bound is used up, in [0, 1]
   * @param completed calls completed so far in this phase
   */
  void onProgress(String phase, double fraction, long completed);
}
