package io.ringserve.loadtest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringserve.client.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The load generator and the client library encode the same values to the same bytes, so that a
 * load test measures what the client would send. Half floats are where the two once differed.
 */
class SameBitsAsClientTest {
  /** Ties, subnormals, overflow, infinities and NaN: every rounding case that can differ. */
  private static final float[] VALUES = {
    0f,
    -0f,
    1f,
    0.1f,
    -2.5f,
    1f + 0x1p-11f,
    1f + 3 * 0x1p-11f,
    1f + 0x1p-8f,
    1f + 3 * 0x1p-8f,
    0x1p-24f,
    0x1.8p-25f,
    0x1p-25f,
    0x3ffp-24f,
    6.1e-5f,
    65504f,
    65519f,
    65520f,
    Float.MAX_VALUE,
    Float.MIN_VALUE,
    Float.POSITIVE_INFINITY,
    Float.NEGATIVE_INFINITY,
    Float.NaN
  };

  @Test
  void shouldSendTheSameFp16BytesAsTheClient() {
    assertEquals(
        Tensor.ofFp16("x", VALUES, VALUES.length).rawData(),
        TensorEncoding.raw("FP16", VALUES.length, i -> VALUES[(int) i]));
  }

  @Test
  void shouldSendTheSameBf16BytesAsTheClient() {
    assertEquals(
        Tensor.ofBf16("x", VALUES, VALUES.length).rawData(),
        TensorEncoding.raw("BF16", VALUES.length, i -> VALUES[(int) i]));
  }

  @Test
  void shouldSendTheSameFp32AndBytesAsTheClient() {
    assertEquals(
        Tensor.of("x", VALUES, VALUES.length).rawData(),
        TensorEncoding.raw("FP32", VALUES.length, i -> VALUES[(int) i]));
    String[] strings = {"", "a\0b", "é"};
    assertEquals(
        Tensor.of("s", strings, strings.length).rawData(),
        TensorEncoding.raw("BYTES", strings.length, i -> strings[(int) i]));
  }
}
