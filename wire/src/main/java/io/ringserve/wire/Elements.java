package io.ringserve.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Little-endian element codecs for the fixed-size types: Java arrays and boxed numbers to the raw
 * layout. FP16 and BF16 narrow through {@link HalfPrecision}, so every producer sends the same bits
 * for the same float.
 *
 * <p>Stateless and thread-safe. Each array encoder allocates one heap buffer of exactly the data's
 * size and copies the values into it once; the buffer is returned positioned at 0 and is the
 * caller's alone (its backing array may be shared without a second copy).
 */
public final class Elements {
  private Elements() {}

  /**
   * A little-endian heap buffer for {@code count} elements of fixed-size {@code type}.
   *
   * @throws IllegalArgumentException if the type is BYTES or the data would be over 2 GiB
   */
  public static ByteBuffer allocate(DataType type, long count) {
    if (!type.isFixedSize()) {
      throw new IllegalArgumentException(type + " elements vary in size; frame them instead");
    }
    return allocate(count, type.byteSize());
  }

  /**
   * Writes {@code value} as one element of fixed-size {@code type} at {@code out}'s position:
   * integers are truncated to the type's width (unsigned types take the same bits as signed),
   * floats are rounded to FP16/BF16 where needed, BOOL is 1 for any non-zero value.
   *
   * @throws IllegalArgumentException for BYTES
   */
  public static void put(ByteBuffer out, DataType type, Number value) {
    switch (type) {
      case BOOL -> out.put((byte) (value.doubleValue() != 0 ? 1 : 0));
      case INT8, UINT8 -> out.put((byte) value.longValue());
      case INT16, UINT16 -> out.putShort((short) value.longValue());
      case INT32, UINT32 -> out.putInt((int) value.longValue());
      case INT64, UINT64 -> out.putLong(value.longValue());
      case FP16 -> out.putShort(HalfPrecision.toFp16(value.floatValue()));
      case BF16 -> out.putShort(HalfPrecision.toBf16(value.floatValue()));
      case FP32 -> out.putFloat(value.floatValue());
      case FP64 -> out.putDouble(value.doubleValue());
      case BYTES -> throw new IllegalArgumentException("BYTES elements are not numbers");
    }
  }

  /** INT32 (or UINT32) elements. */
  public static ByteBuffer ints(int[] values) {
    ByteBuffer out = allocate(values.length, Integer.BYTES);
    out.asIntBuffer().put(values);
    return out;
  }

  /** INT64 (or UINT64) elements. */
  public static ByteBuffer longs(long[] values) {
    ByteBuffer out = allocate(values.length, Long.BYTES);
    out.asLongBuffer().put(values);
    return out;
  }

  /** FP32 elements. */
  public static ByteBuffer floats(float[] values) {
    ByteBuffer out = allocate(values.length, Float.BYTES);
    out.asFloatBuffer().put(values);
    return out;
  }

  /** FP64 elements. */
  public static ByteBuffer doubles(double[] values) {
    ByteBuffer out = allocate(values.length, Double.BYTES);
    out.asDoubleBuffer().put(values);
    return out;
  }

  /** FP16 elements, each rounded to nearest even. */
  public static ByteBuffer fp16(float[] values) {
    ByteBuffer out = allocate(values.length, Short.BYTES);
    for (float v : values) {
      out.putShort(HalfPrecision.toFp16(v));
    }
    return out.flip();
  }

  /** BF16 elements, each rounded to nearest even. */
  public static ByteBuffer bf16(float[] values) {
    ByteBuffer out = allocate(values.length, Short.BYTES);
    for (float v : values) {
      out.putShort(HalfPrecision.toBf16(v));
    }
    return out.flip();
  }

  /** BOOL elements: one byte each, 1 for true and 0 for false. */
  public static ByteBuffer booleans(boolean[] values) {
    ByteBuffer out = allocate(values.length, 1);
    for (boolean v : values) {
      out.put((byte) (v ? 1 : 0));
    }
    return out.flip();
  }

  /** A little-endian view of {@code data} from its position to its limit. */
  public static ByteBuffer littleEndian(ByteBuffer data) {
    return data.slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  private static ByteBuffer allocate(long count, int elementSize) {
    if (count < 0) {
      throw new IllegalArgumentException("element count must not be negative: " + count);
    }
    if (count > Integer.MAX_VALUE / elementSize) {
      throw new IllegalArgumentException(
          "tensor data is over 2 GiB: " + count + " x " + elementSize + " bytes");
    }
    return ByteBuffer.allocate((int) count * elementSize).order(ByteOrder.LITTLE_ENDIAN);
  }
}
