package io.ringserve.client.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.ringserve.client.HalfPrecision;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Java arrays to and from the protocol's raw tensor layout: little-endian, row-major, BOOL as one
 * byte, BYTES as 4-byte little-endian length prefixes followed by the element bytes.
 *
 * <p>Stateless. Each conversion copies the data once; the {@link ByteString}s returned wrap their
 * fresh buffer without a second copy.
 */
public final class RawEncoding {
  private RawEncoding() {}

  public static ByteString ints(int[] values) {
    ByteBuffer buffer = allocate(values.length, Integer.BYTES);
    buffer.asIntBuffer().put(values);
    return wrap(buffer);
  }

  public static ByteString longs(long[] values) {
    ByteBuffer buffer = allocate(values.length, Long.BYTES);
    buffer.asLongBuffer().put(values);
    return wrap(buffer);
  }

  public static ByteString floats(float[] values) {
    ByteBuffer buffer = allocate(values.length, Float.BYTES);
    buffer.asFloatBuffer().put(values);
    return wrap(buffer);
  }

  public static ByteString doubles(double[] values) {
    ByteBuffer buffer = allocate(values.length, Double.BYTES);
    buffer.asDoubleBuffer().put(values);
    return wrap(buffer);
  }

  public static ByteString fp16(float[] values) {
    ByteBuffer buffer = allocate(values.length, Short.BYTES);
    for (float v : values) {
      buffer.putShort(HalfPrecision.toFp16(v));
    }
    return wrap(buffer.flip());
  }

  public static ByteString bf16(float[] values) {
    ByteBuffer buffer = allocate(values.length, Short.BYTES);
    for (float v : values) {
      buffer.putShort(HalfPrecision.toBf16(v));
    }
    return wrap(buffer.flip());
  }

  public static ByteString booleans(boolean[] values) {
    byte[] bytes = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = (byte) (values[i] ? 1 : 0);
    }
    return UnsafeByteOperations.unsafeWrap(bytes);
  }

  public static ByteString strings(String[] values) {
    byte[][] elements = new byte[values.length][];
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null) {
        throw new IllegalArgumentException("string element " + i + " is null");
      }
      elements[i] = values[i].getBytes(StandardCharsets.UTF_8);
    }
    return byteArrays(elements);
  }

  public static ByteString byteArrays(byte[][] values) {
    long total = 0;
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null) {
        throw new IllegalArgumentException("BYTES element " + i + " is null");
      }
      total += Integer.BYTES + values[i].length;
    }
    if (total > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("BYTES tensor is over 2 GiB: " + total + " bytes");
    }
    ByteBuffer buffer = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
    for (byte[] element : values) {
      buffer.putInt(element.length).put(element);
    }
    return wrap(buffer.flip());
  }

  /** The BYTES elements of raw data, each copied out. */
  public static byte[][] splitBytes(String tensor, ByteString raw, long count) {
    ByteBuffer buffer = littleEndian(raw);
    byte[][] elements = new byte[Math.toIntExact(count)][];
    for (int i = 0; i < elements.length; i++) {
      if (buffer.remaining() < Integer.BYTES) {
        throw new IllegalStateException(
            "tensor " + tensor + ": BYTES data ends before the length of element " + i);
      }
      int length = buffer.getInt();
      if (length < 0 || length > buffer.remaining()) {
        throw new IllegalStateException(
            "tensor "
                + tensor
                + ": BYTES element "
                + i
                + " claims "
                + Integer.toUnsignedString(length)
                + " bytes but only "
                + buffer.remaining()
                + " remain");
      }
      elements[i] = new byte[length];
      buffer.get(elements[i]);
    }
    if (buffer.hasRemaining()) {
      throw new IllegalStateException(
          "tensor "
              + tensor
              + ": "
              + buffer.remaining()
              + " byte(s) left over after "
              + count
              + " BYTES element(s)");
    }
    return elements;
  }

  /** A read-only little-endian view of {@code raw}. */
  public static ByteBuffer littleEndian(ByteString raw) {
    return raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  private static ByteBuffer allocate(int count, int elementSize) {
    long size = (long) count * elementSize;
    if (size > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("tensor data is over 2 GiB: " + size + " bytes");
    }
    return ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static ByteString wrap(ByteBuffer buffer) {
    // The buffer is ours alone and never written again, so sharing its array is safe.
    return UnsafeByteOperations.unsafeWrap(buffer.array(), 0, buffer.limit());
  }
}
