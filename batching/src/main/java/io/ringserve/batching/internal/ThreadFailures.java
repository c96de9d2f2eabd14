package io.ringserve.batching.internal;

import java.util.concurrent.atomic.AtomicReference;

/**
 * What went wrong, unexpectedly, on a scheduler's threads: the first failure is kept, for readiness
 * to report ({@link io.ringserve.batching.ModelScheduler#failure()}), and each is logged once per
 * kind at most, with its stack trace, so that a failure that repeats cannot flood the log.
 *
 * <p>Thread-safe: any scheduler thread records; anyone reads.
 */
final class ThreadFailures {
  private static final System.Logger LOG = System.getLogger(ThreadFailures.class.getName());

  private final AtomicReference<String> first = new AtomicReference<>();
  private final java.util.Set<Class<?>> logged = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Records {@code failure} on {@code thread}. Never throws. */
  void record(String thread, Throwable failure) {
    try {
      String reason = "thread " + thread + " failed: " + failure.getClass().getSimpleName();
      first.compareAndSet(null, reason);
      if (logged.add(failure.getClass())) {
        LOG.log(System.Logger.Level.ERROR, reason, failure);
      }
    } catch (Throwable ignored) {
      // Recording must not fail the loop it protects (for example while out of memory).
    }
  }

  /** The first failure recorded, or {@code null}. */
  String first() {
    return first.get();
  }
}
