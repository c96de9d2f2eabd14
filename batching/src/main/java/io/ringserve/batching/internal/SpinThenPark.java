package io.ringserve.batching.internal;

import java.util.function.BooleanSupplier;

/**
 * Decides how long an idle worker thread spins before it parks, learning from its previous wait.
 *
 * <p>Why spin at all: waking a parked thread costs the waker a futex call and the sleeper a context
 * switch, several microseconds each on a virtual machine, as much as the bookkeeping of a whole
 * 64-request batch. Under load the next publish comes within microseconds, so catching it on the
 * CPU keeps the pipeline flowing and spares the producer and the batcher thread their wake-ups.
 *
 * <p>Why adaptive: spinning is only worth it when the wait is short. If the previous wait ended
 * within the limit, the thread spins up to that long again; after a longer wait (a quiet model) it
 * parks at once, so idle schedulers cost no CPU, which matters with many models on few cores.
 *
 * <p>Why the limit depends on the machine ({@link #defaultMaxSpinNanos}): a spinning thread holds a
 * core. With a single core the thread that would publish the next request cannot run while the
 * worker spins, so the spin only delays the publish it waits for. From two cores the spin stays: it
 * keeps the batching core ahead of its baseline (JMH, docs/PERFORMANCE.md "Wake-ups and spinning"),
 * although served runs on a shared two-core machine hinted that the transport and the clients want
 * that core back; {@link #SPIN_PROPERTY} lets a deployment choose.
 *
 * <p>Not thread-safe: each waiting thread owns one.
 */
final class SpinThenPark {
  /** The longest spin where there are cores to spare (see {@link #defaultMaxSpinNanos}). */
  static final long MAX_SPIN_NANOS = 50_000;

  /** Fewer cores than this: workers park at once. */
  static final int MIN_CORES_TO_SPIN = 2;

  /** Overrides {@link #defaultMaxSpinNanos}, in microseconds (0: never spin). */
  static final String SPIN_PROPERTY = "ringserve.worker.spin.micros";

  private final long maxSpinNanos;
  private long started;
  private boolean spinning;

  /**
   * @param maxSpinNanos the longest spin, and the longest previous wait that makes the next one
   *     spin; 0 never spins
   */
  SpinThenPark(long maxSpinNanos) {
    if (maxSpinNanos < 0) {
      throw new IllegalArgumentException("maxSpinNanos must be >= 0, got " + maxSpinNanos);
    }
    this.maxSpinNanos = maxSpinNanos;
  }

  /**
   * The spin limit for this process: {@link #SPIN_PROPERTY} when set, otherwise {@link
   * #MAX_SPIN_NANOS} with at least {@link #MIN_CORES_TO_SPIN} cores and none below.
   */
  static long defaultMaxSpinNanos() {
    return maxSpinNanos(
        System.getProperty(SPIN_PROPERTY), Runtime.getRuntime().availableProcessors());
  }

  static long maxSpinNanos(String property, int cores) {
    if (property != null) {
      try {
        long micros = Long.parseLong(property.trim());
        if (micros >= 0 && micros <= 1_000_000) {
          return micros * 1_000;
        }
      } catch (NumberFormatException ignored) {
        // Falls through to the default, as for a value out of range.
      }
      System.getLogger(SpinThenPark.class.getName())
          .log(
              System.Logger.Level.WARNING,
              "ignoring -D{0}={1}: expected microseconds from 0 to 1000000",
              SPIN_PROPERTY,
              property);
    }
    return cores >= MIN_CORES_TO_SPIN ? MAX_SPIN_NANOS : 0;
  }

  /**
   * Begins a wait: spins until {@code ready} is true, for at most the limit and only if the
   * previous wait was short. Returns true if the event came while spinning (then the wait is over);
   * false if the caller should park and call {@link #parked()} when it wakes.
   */
  boolean spin(BooleanSupplier ready) {
    if (maxSpinNanos == 0) {
      return false;
    }
    started = System.nanoTime();
    if (!spinning) {
      return false;
    }
    long until = started + maxSpinNanos;
    do {
      if (ready.getAsBoolean()) {
        return true;
      }
      Thread.onSpinWait();
    } while (System.nanoTime() - until < 0);
    return false;
  }

  /** Ends a wait that parked: the next wait spins only if this one turned out short. */
  void parked() {
    spinning = maxSpinNanos > 0 && System.nanoTime() - started <= maxSpinNanos;
  }
}
