package io.ringserve.batching.internal;

import io.ringserve.batching.ModelStatistics.StatDuration;
import java.util.concurrent.atomic.LongAdder;

/**
 * A count and a total duration, added to from any thread.
 *
 * <p>Thread-safe. {@link LongAdder}s stay a single uncontended CAS for the usual writer (one
 * worker) and spread out only under contention, which keeps always-on statistics cheap.
 */
final class DurationCounter {
  private final LongAdder count = new LongAdder();
  private final LongAdder nanos = new LongAdder();

  void add(long occurrences, long totalNanos) {
    count.add(occurrences);
    nanos.add(totalNanos);
  }

  StatDuration snapshot() {
    return new StatDuration(count.sum(), nanos.sum());
  }
}
