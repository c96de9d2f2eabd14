package io.ringserve.loadtest.internal;

/** A way of applying load (closed or open loop) for one measurement. */
public interface LoadLoop {
  /**
   * Starts calls until the bound is reached or {@link #stop()} is called, then waits for every
   * started call to complete (each call is bounded by its deadline).
   */
  void run() throws InterruptedException;

  /** Stops starting calls; safe from any thread, at any time, more than once. */
  void stop();
}
