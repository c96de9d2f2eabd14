package io.ringserve.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HalfPrecisionTest {
  @Test
  void shouldEncodeKnownFp16Values() {
    assertEquals((short) 0x3c00, HalfPrecision.toFp16(1f));
    assertEquals((short) 0xc000, HalfPrecision.toFp16(-2f));
    assertEquals((short) 0x7bff, HalfPrecision.toFp16(65504f));
    assertEquals((short) 0x2e66, HalfPrecision.toFp16(0.1f));
    assertEquals((short) 0x0001, HalfPrecision.toFp16(0x1p-24f));
    assertEquals((short) 0x8000, HalfPrecision.toFp16(-0f));
  }

  @Test
  void shouldRoundFp16TiesToEvenAndOverflowToInfinity() {
    // 1 + 2^-11 is halfway between 1 and the next half (1 + 2^-10): ties go to the even one, 1.
    assertEquals((short) 0x3c00, HalfPrecision.toFp16(1f + 0x1p-11f));
    assertEquals((short) 0x3c02, HalfPrecision.toFp16(1f + 3 * 0x1p-11f));
    assertEquals((short) 0x7c00, HalfPrecision.toFp16(65520f));
    assertEquals((short) 0xfc00, HalfPrecision.toFp16(Float.NEGATIVE_INFINITY));
    assertEquals((short) 0x0000, HalfPrecision.toFp16(0x1p-26f));
  }

  @Test
  void shouldDecodeFp16Exactly() {
    assertEquals(1f, HalfPrecision.fromFp16((short) 0x3c00));
    assertEquals(65504f, HalfPrecision.fromFp16((short) 0x7bff));
    assertEquals(0x1p-24f, HalfPrecision.fromFp16((short) 0x0001));
    assertEquals(-0x1p-14f, HalfPrecision.fromFp16((short) 0x8400));
    assertEquals(Float.POSITIVE_INFINITY, HalfPrecision.fromFp16((short) 0x7c00));
    assertTrue(Float.isNaN(HalfPrecision.fromFp16(HalfPrecision.toFp16(Float.NaN))));
  }

  @Test
  void shouldRoundTripEveryFiniteFp16() {
    for (int bits = 0; bits < 0x10000; bits++) {
      short h = (short) bits;
      float f = HalfPrecision.fromFp16(h);
      if (!Float.isNaN(f)) {
        assertEquals(h, HalfPrecision.toFp16(f), "bits " + Integer.toHexString(bits));
      }
    }
  }

  @Test
  void shouldConvertBf16() {
    assertEquals((short) 0x3f80, HalfPrecision.toBf16(1f));
    assertEquals((short) 0x4049, HalfPrecision.toBf16(3.14159f));
    assertEquals(3.140625f, HalfPrecision.fromBf16((short) 0x4049));
    assertTrue(Float.isNaN(HalfPrecision.fromBf16(HalfPrecision.toBf16(Float.NaN))));
    for (int bits = 0; bits < 0x10000; bits++) {
      float f = HalfPrecision.fromBf16((short) bits);
      if (!Float.isNaN(f)) {
        assertEquals((short) bits, HalfPrecision.toBf16(f));
      }
    }
  }
}
