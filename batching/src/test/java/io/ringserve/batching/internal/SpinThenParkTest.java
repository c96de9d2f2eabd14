package io.ringserve.batching.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** How long an idle worker spins: per machine, and per the waits it has seen. */
class SpinThenParkTest {

  @Test
  void shouldNeverSpinOnASingleCoreWhereThePublisherCouldNotRunMeanwhile() {
    assertEquals(0, SpinThenPark.maxSpinNanos(null, 1));
    assertEquals(0, SpinThenPark.maxSpinNanos(null, SpinThenPark.MIN_CORES_TO_SPIN - 1));
    assertEquals(SpinThenPark.MAX_SPIN_NANOS, SpinThenPark.maxSpinNanos(null, 2));
    assertEquals(
        SpinThenPark.MAX_SPIN_NANOS,
        SpinThenPark.maxSpinNanos(null, SpinThenPark.MIN_CORES_TO_SPIN));
    assertEquals(SpinThenPark.MAX_SPIN_NANOS, SpinThenPark.maxSpinNanos(null, 64));
  }

  @Test
  void shouldTakeTheOperatorsLimitOnAnyMachineAndIgnoreOneThatIsNoDuration() {
    assertEquals(200_000, SpinThenPark.maxSpinNanos("200", 1));
    assertEquals(0, SpinThenPark.maxSpinNanos(" 0 ", 64));
    // Not a number of microseconds in range: the machine's default, as if unset.
    assertEquals(0, SpinThenPark.maxSpinNanos("fast", 1));
    assertEquals(SpinThenPark.MAX_SPIN_NANOS, SpinThenPark.maxSpinNanos("-5", 8));
    assertEquals(SpinThenPark.MAX_SPIN_NANOS, SpinThenPark.maxSpinNanos("99999999999", 8));
  }

  @Test
  void shouldNeverLookBeforeParkingWhenSpinningIsOff() {
    SpinThenPark never = new SpinThenPark(0);
    AtomicInteger looks = new AtomicInteger();
    for (int i = 0; i < 3; i++) {
      // A wait that ends at once would make a spinning waiter spin next time.
      assertFalse(never.spin(() -> looks.incrementAndGet() > 0));
      never.parked();
    }
    assertEquals(0, looks.get(), "a waiter that may not spin parks without polling");
  }

  @Test
  void shouldSpinAfterAShortWaitAndParkAtOnceAfterALongOne() throws Exception {
    // A limit far above a preempted thread's delay on a busy machine, so that "short" stays short.
    SpinThenPark spin = new SpinThenPark(20_000_000);
    // The first wait parks: nothing is known about the waits yet.
    assertFalse(spin.spin(() -> true));
    spin.parked(); // woken at once: a short wait

    AtomicInteger looks = new AtomicInteger();
    assertTrue(spin.spin(() -> looks.incrementAndGet() >= 3), "caught while spinning");
    assertEquals(3, looks.get());

    assertFalse(spin.spin(() -> false)); // nothing came within the limit: park
    Thread.sleep(100); // and the parked wait turned out long
    spin.parked();

    looks.set(0);
    assertFalse(spin.spin(() -> looks.incrementAndGet() > 0));
    assertEquals(0, looks.get(), "after a long wait the next one parks without spinning");
  }

  @Test
  void shouldRefuseANegativeLimit() {
    assertThrows(IllegalArgumentException.class, () -> new SpinThenPark(-1));
  }
}
