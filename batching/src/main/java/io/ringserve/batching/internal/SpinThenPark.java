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
 * within {@link #MAX_SPIN_NANOS}, the thread spins up to that long again; after a longer wait (a
 * quiet model) it parks at once, so idle schedulers cost no CPU, which matters with many models on
 * few cores.
 *
 * <p>Not thread-safe: each waiting thread owns one.
 */
final class SpinThenPark {
  /** The longest spin, and the longest previous wait that makes the next one spin. */
  static final long MAX_SPIN_NANOS = 50_000;

  private long started;
  private boolean spinning;

  /**
   * Begins a wait: spins until {@code ready} is true, for at most {@link #MAX_SPIN_NANOS} and only
   * if the previous wait was short. Returns true if the event came while spinning (then the wait is
   * over); false if the caller should park and call {@link #parked()} when it wakes.
   */
  boolean spin(BooleanSupplier ready) {
    started = System.nanoTime();
    if (!spinning) {
      return false;
    }
    long until = started + MAX_SPIN_NANOS;
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
    spinning = System.nanoTime() - started <= MAX_SPIN_NANOS;
  }
}
