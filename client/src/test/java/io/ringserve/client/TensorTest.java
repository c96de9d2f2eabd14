package io.ringserve.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.ringserve.wire.DataType;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TensorTest {
  @Test
  void shouldRoundTripEveryArrayType() {
    assertArrayEquals(
        new int[] {1, -2, 3, 4}, Tensor.of("t", new int[] {1, -2, 3, 4}, 2, 2).asInts());
    assertArrayEquals(
        new long[] {Long.MIN_VALUE, 7},
        Tensor.of("t", new long[] {Long.MIN_VALUE, 7}, 2).asLongs());
    assertArrayEquals(
        new float[] {1.5f, -0f, Float.NaN},
        Tensor.of("t", new float[] {1.5f, -0f, Float.NaN}, 3).asFloats());
    assertArrayEquals(
        new double[] {Math.PI, 1e300},
        Tensor.of("t", new double[] {Math.PI, 1e300}, 1, 2).asDoubles());
    assertArrayEquals(
        new boolean[] {true, false, true},
        Tensor.of("t", new boolean[] {true, false, true}, 3).asBooleans());
    assertArrayEquals(new byte[] {-1, 2}, Tensor.ofInt8("t", new byte[] {-1, 2}, 2).asBytes());
    assertArrayEquals(new int[] {-1, 2}, Tensor.ofInt8("t", new byte[] {-1, 2}, 2).asInts());
    assertArrayEquals(new int[] {255, 2}, Tensor.ofUint8("t", new byte[] {-1, 2}, 2).asInts());
    assertArrayEquals(
        new String[] {"héllo", "", "x"},
        Tensor.of("t", new String[] {"héllo", "", "x"}, 3).asStrings());
    byte[][] blobs = {{0, 1, 2}, {}};
    byte[][] back = Tensor.of("t", blobs, 2).asByteArrays();
    assertArrayEquals(blobs[0], back[0]);
    assertArrayEquals(blobs[1], back[1]);
  }

  @Test
  void shouldEncodeLittleEndianRawContents() {
    Tensor t = Tensor.of("t", new int[] {1, 256}, 2);
    assertEquals(DataType.INT32, t.dataType());
    assertArrayEquals(new byte[] {1, 0, 0, 0, 0, 1, 0, 0}, t.rawData().toByteArray());
  }

  @Test
  void shouldLengthPrefixBytesElements() {
    Tensor t = Tensor.of("t", new String[] {"ab", "c"}, 2);
    assertArrayEquals(
        new byte[] {2, 0, 0, 0, 'a', 'b', 1, 0, 0, 0, 'c'}, t.rawData().toByteArray());
  }

  @Test
  void shouldConvertHalfPrecisionTensors() {
    float[] values = {1f, -2.5f, 65504f, 0.099975586f};
    assertArrayEquals(values, Tensor.ofFp16("h", values, 4).asFloats());
    assertEquals(8, Tensor.ofFp16("h", values, 4).rawData().size());
    assertArrayEquals(
        new float[] {1f, -2.5f, 3.140625f},
        Tensor.ofBf16("b", new float[] {1f, -2.5f, 3.14159f}, 3).asFloats());
    assertArrayEquals(
        new double[] {1.0, -2.5}, Tensor.ofBf16("b", new float[] {1f, -2.5f}, 2).asDoubles());
  }

  @Test
  void shouldRejectValueCountNotMatchingShapeNamingTheTensor() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Tensor.of("INPUT0", new int[15], 1, 16));
    assertTrue(e.getMessage().contains("INPUT0"), e.getMessage());
    assertTrue(e.getMessage().contains("[1, 16]"), e.getMessage());
    assertTrue(e.getMessage().contains("16") && e.getMessage().contains("15"), e.getMessage());
  }

  @Test
  void shouldRejectNegativeDimensions() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Tensor.of("x", new float[4], -1, 4));
    assertTrue(e.getMessage().contains("negative"), e.getMessage());
  }

  @Test
  void shouldRejectRawDataOfTheWrongLength() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Tensor.ofRaw("x", DataType.UINT16, ByteString.copyFrom(new byte[5]), 3));
    assertTrue(e.getMessage().contains("6 bytes"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            Tensor.ofRaw(
                "s",
                DataType.BYTES,
                ByteString.copyFrom("\u0005\0\0\0ab", StandardCharsets.ISO_8859_1),
                1));
  }

  @Test
  void shouldRejectReadingAsTheWrongType() {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> Tensor.of("f", new float[1], 1).asInts());
    assertTrue(e.getMessage().contains("FP32"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> Tensor.of("i", new int[1], 1).asStrings());
  }

  @Test
  void shouldRejectNullStringElements() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> Tensor.of("s", new String[] {"a", null}, 2));
    assertTrue(e.getMessage().contains("s") && e.getMessage().contains("1"), e.getMessage());
  }

  @Test
  void shouldReadUnsignedAndNarrowIntegersFromRaw() {
    Tensor u32 =
        Tensor.ofRaw("u", DataType.UINT32, ByteString.copyFrom(new byte[] {-1, -1, -1, -1}), 1);
    assertArrayEquals(new long[] {0xffffffffL}, u32.asLongs());
    Tensor i16 = Tensor.ofRaw("s", DataType.INT16, ByteString.copyFrom(new byte[] {-2, -1}), 1);
    assertArrayEquals(new int[] {-2}, i16.asInts());
  }
}
