package io.ringserve.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Pins the wire format: every type's name, size and bytes, half-float rounding, BYTES framing. */
class WireFormatTest {
  /** Type, wire name, element size, a value, and its little-endian bytes. */
  static Stream<Arguments> dataTypes() {
    return Stream.of(
        Arguments.of(DataType.BOOL, "BOOL", 1, 1, bytes(0x01)),
        Arguments.of(DataType.UINT8, "UINT8", 1, 200, bytes(0xc8)),
        Arguments.of(DataType.UINT16, "UINT16", 2, 0xfffe, bytes(0xfe, 0xff)),
        Arguments.of(DataType.UINT32, "UINT32", 4, 0xfffffffeL, bytes(0xfe, 0xff, 0xff, 0xff)),
        Arguments.of(
            DataType.UINT64,
            "UINT64",
            8,
            -2L,
            bytes(0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)),
        Arguments.of(DataType.INT8, "INT8", 1, -2, bytes(0xfe)),
        Arguments.of(DataType.INT16, "INT16", 2, 258, bytes(0x02, 0x01)),
        Arguments.of(DataType.INT32, "INT32", 4, 258, bytes(0x02, 0x01, 0x00, 0x00)),
        Arguments.of(DataType.INT64, "INT64", 8, 258L, bytes(0x02, 0x01, 0, 0, 0, 0, 0, 0)),
        Arguments.of(DataType.FP16, "FP16", 2, 1.0f, bytes(0x00, 0x3c)),
        Arguments.of(DataType.FP32, "FP32", 4, 1.0f, bytes(0x00, 0x00, 0x80, 0x3f)),
        Arguments.of(DataType.FP64, "FP64", 8, 1.0, bytes(0, 0, 0, 0, 0, 0, 0xf0, 0x3f)),
        Arguments.of(DataType.BF16, "BF16", 2, 1.0f, bytes(0x80, 0x3f)));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("dataTypes")
  void shouldPinNameSizeAndEncodingOfEveryFixedSizeType(
      DataType type, String wireName, int size, Number value, byte[] encoded) {
    assertEquals(wireName, type.wireName());
    assertEquals(Optional.of(type), DataType.lookup(wireName));
    assertEquals(type, DataType.fromWireName(wireName));
    assertEquals(size, type.byteSize());
    assertTrue(type.isFixedSize());
    ByteBuffer out = Elements.allocate(type, 1);
    Elements.put(out, type, value);
    assertArrayEquals(encoded, out.array());
  }

  @Test
  void shouldCoverEveryTypeInTheTable() {
    Set<DataType> pinned = EnumSet.of(DataType.BYTES);
    dataTypes().forEach(a -> pinned.add((DataType) a.get()[0]));
    assertEquals(EnumSet.allOf(DataType.class), pinned);
    assertEquals("BYTES", DataType.BYTES.wireName());
    assertEquals(-1, DataType.BYTES.byteSize());
  }

  @Test
  void shouldParseWireNamesCaseSensitivelyAsTritonDoes() {
    assertEquals(Optional.empty(), DataType.lookup("fp32"));
    assertEquals(Optional.empty(), DataType.lookup("INT33"));
    assertEquals(Optional.empty(), DataType.lookup(null));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DataType.fromWireName("Fp32"));
    assertTrue(e.getMessage().contains("\"Fp32\""), e.getMessage());
  }

  /** A float, its FP16 bits and its BF16 bits. */
  static Stream<Arguments> halfFloats() {
    return Stream.of(
        Arguments.of("one", 1f, 0x3c00, 0x3f80),
        Arguments.of("minus two", -2f, 0xc000, 0xc000),
        Arguments.of("zero", 0f, 0x0000, 0x0000),
        Arguments.of("minus zero", -0f, 0x8000, 0x8000),
        Arguments.of("FP16 tie rounds down to even", 1f + 0x1p-11f, 0x3c00, 0x3f80),
        Arguments.of("FP16 tie rounds up to even", 1f + 3 * 0x1p-11f, 0x3c02, 0x3f80),
        Arguments.of("BF16 tie rounds down to even", 1f + 0x1p-8f, 0x3c04, 0x3f80),
        Arguments.of("BF16 tie rounds up to even", 1f + 3 * 0x1p-8f, 0x3c0c, 0x3f82),
        Arguments.of("FP16 smallest subnormal", 0x1p-24f, 0x0001, 0x3380),
        Arguments.of("FP16 largest subnormal", 0x3ffp-24f, 0x03ff, 0x3880),
        Arguments.of("FP16 half the smallest subnormal ties to zero", 0x1p-25f, 0x0000, 0x3300),
        Arguments.of("FP16 above half the smallest subnormal", 0x1.8p-25f, 0x0001, 0x3340),
        Arguments.of("FP16 underflow", 0x1p-26f, 0x0000, 0x3280),
        Arguments.of("FP32 subnormal", Float.MIN_VALUE, 0x0000, 0x0000),
        Arguments.of("FP16 max finite", 65504f, 0x7bff, 0x4780),
        Arguments.of("FP16 overflow to infinity", 65520f, 0x7c00, 0x4780),
        Arguments.of("FP32 max finite", Float.MAX_VALUE, 0x7c00, 0x7f80),
        Arguments.of("infinity", Float.POSITIVE_INFINITY, 0x7c00, 0x7f80),
        Arguments.of("minus infinity", Float.NEGATIVE_INFINITY, 0xfc00, 0xff80));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("halfFloats")
  void shouldRoundToNearestEven(String what, float value, int fp16, int bf16) {
    assertEquals((short) fp16, HalfPrecision.toFp16(value), "FP16");
    assertEquals((short) bf16, HalfPrecision.toBf16(value), "BF16");
  }

  @Test
  void shouldKeepNanNanInBothDirections() {
    for (float nan :
        new float[] {
          Float.NaN, Float.intBitsToFloat(0x7f800001), Float.intBitsToFloat(0xff800100)
        }) {
      assertTrue(Float.isNaN(HalfPrecision.fromFp16(HalfPrecision.toFp16(nan))));
      assertTrue(Float.isNaN(HalfPrecision.fromBf16(HalfPrecision.toBf16(nan))));
    }
    assertTrue(Float.isNaN(HalfPrecision.fromFp16((short) 0x7e00)));
    assertTrue(Float.isNaN(HalfPrecision.fromBf16((short) 0x7fc0)));
    assertEquals(Float.NEGATIVE_INFINITY, HalfPrecision.fromFp16((short) 0xfc00));
    assertEquals(Float.POSITIVE_INFINITY, HalfPrecision.fromBf16((short) 0x7f80));
    assertEquals(0x1p-24f, HalfPrecision.fromFp16((short) 0x0001));
    assertEquals(-0x3ffp-24f, HalfPrecision.fromFp16((short) 0x83ff));
  }

  @Test
  void shouldFrameBytesWithLittleEndianLengthsIncludingEmptyAndNulElements() {
    byte[][] elements = {
      "ab".getBytes(StandardCharsets.UTF_8), new byte[0], new byte[] {0, 'x', 0}
    };
    ByteBuffer framed = BytesFraming.write(elements);
    assertArrayEquals(
        bytes(2, 0, 0, 0, 'a', 'b', 0, 0, 0, 0, 3, 0, 0, 0, 0, 'x', 0), remaining(framed));
    assertEquals(3, BytesFraming.count("t", framed));
    BytesFraming.check("t", framed, 3);
    ByteBuffer[] views = BytesFraming.elements("t", framed, 3);
    for (int i = 0; i < elements.length; i++) {
      assertArrayEquals(elements[i], remaining(views[i]));
    }
    assertEquals(10, BytesFraming.offsetAfter(framed, 2));
    assertEquals(0, BytesFraming.write(new byte[0][]).remaining());
  }

  @Test
  void shouldRejectTruncatedAndMiscountedFrames() {
    IllegalArgumentException cutPrefix =
        assertThrows(
            IllegalArgumentException.class,
            () -> BytesFraming.check("t", ByteBuffer.wrap(bytes(1, 0, 0, 0, 'a', 2, 0)), 2));
    assertEquals(
        "tensor 't' has a malformed BYTES element 1: length prefix cut short",
        cutPrefix.getMessage());
    IllegalArgumentException pastEnd =
        assertThrows(
            IllegalArgumentException.class,
            () -> BytesFraming.elements("t", ByteBuffer.wrap(bytes(5, 0, 0, 0, 'a')), 1));
    assertEquals(
        "tensor 't' has a malformed BYTES element 0: length 5 exceeds the 1 bytes left",
        pastEnd.getMessage());
    IllegalArgumentException huge =
        assertThrows(
            IllegalArgumentException.class,
            () -> BytesFraming.count("t", ByteBuffer.wrap(bytes(0xff, 0xff, 0xff, 0xff))));
    assertTrue(huge.getMessage().contains("length 4294967295"), huge.getMessage());
    IllegalArgumentException count =
        assertThrows(
            IllegalArgumentException.class,
            () -> BytesFraming.check("t", BytesFraming.write(new byte[][] {{1}}), 2));
    assertEquals("tensor 't' holds 1 BYTES elements but its shape needs 2", count.getMessage());
  }

  @Test
  void shouldConvertTypedContentsToRawAndBack() {
    for (Arguments a : dataTypes().toList()) {
      DataType type = (DataType) a.get()[0];
      if (!TypedContents.hasTypedField(type)) {
        continue;
      }
      byte[] encoded = (byte[]) a.get()[4];
      TypedValues typed = TypedContents.fromRaw("t", type, ByteBuffer.wrap(encoded), 1);
      assertArrayEquals(encoded, remaining(TypedContents.toRaw(type, typed, 1)), type.wireName());
    }
    TypedValues uint =
        TypedContents.fromRaw("t", DataType.UINT16, ByteBuffer.wrap(bytes(0xfe, 0xff)), 1);
    assertEquals(List.of(0xfffe), uint.uintContents());
    assertEquals(List.of(), uint.intContents());
    TypedValues strings =
        TypedContents.fromRaw("t", DataType.BYTES, BytesFraming.write(new byte[][] {{0}, {}}), 2);
    assertEquals(2, strings.bytesContents().size());
    assertArrayEquals(
        remaining(BytesFraming.write(new byte[][] {{0}, {}})),
        remaining(TypedContents.toRaw(DataType.BYTES, strings, 2)));
  }

  @Test
  void shouldRefuseTypedHalfFloatsAndMiscountedFields() {
    assertThrows(
        IllegalArgumentException.class,
        () -> TypedContents.fromRaw("t", DataType.FP16, ByteBuffer.allocate(2), 1));
    assertThrows(IllegalArgumentException.class, () -> TypedContents.fieldName(DataType.BF16));
    TypedValues one = TypedContents.fromRaw("t", DataType.INT32, Elements.ints(new int[] {7}), 1);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> TypedContents.toRaw(DataType.INT32, one, 16));
    assertEquals("its shape has 16 elements, its int_contents holds 1", e.getMessage());
  }

  @Test
  void shouldEncodeArraysLittleEndian() {
    assertArrayEquals(bytes(1, 0, 0, 0), remaining(Elements.ints(new int[] {1})));
    assertArrayEquals(bytes(0, 0x3c, 0, 0xc0), remaining(Elements.fp16(new float[] {1f, -2f})));
    assertArrayEquals(bytes(0x80, 0x3f), remaining(Elements.bf16(new float[] {1f})));
    assertArrayEquals(bytes(1, 0), remaining(Elements.booleans(new boolean[] {true, false})));
    assertArrayEquals(
        bytes(0, 0, 0, 0, 0, 0, 0xf0, 0x3f), remaining(Elements.doubles(new double[] {1.0})));
  }

  private static byte[] remaining(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }

  private static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }
}
