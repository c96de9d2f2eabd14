package io.ringserve.client;

import com.google.protobuf.ByteString;
import io.ringserve.client.internal.Shapes;
import io.ringserve.proto.ProtoContents;
import io.ringserve.wire.BytesFraming;
import io.ringserve.wire.DataType;
import io.ringserve.wire.Elements;
import io.ringserve.wire.HalfPrecision;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A named tensor: datatype, shape and data in the protocol's raw layout (little-endian, row-major;
 * BYTES as length-prefixed elements). Inputs are made with the {@code of...} factories from Java
 * arrays; outputs are read back with the {@code as...} methods.
 *
 * <p>Factories check that the values fill the shape exactly and fail with an {@link
 * IllegalArgumentException} naming the tensor, so a wrong request never leaves the process. Each
 * factory copies the values once into the bytes later sent as-is; each reader copies them once out.
 *
 * <p>Immutable and thread-safe.
 */
public final class Tensor {
  private final String name;
  private final DataType dataType;
  private final long[] shape;
  private final ByteString data;

  private Tensor(String name, DataType dataType, long[] shape, ByteString data) {
    this.name = name;
    this.dataType = dataType;
    this.shape = shape;
    this.data = data;
  }

  /** An INT32 tensor. */
  public static Tensor of(String name, int[] values, long... shape) {
    long[] s = check(name, shape, Objects.requireNonNull(values, "values").length);
    return new Tensor(name, DataType.INT32, s, ProtoContents.wrapOwned(Elements.ints(values)));
  }

  /** An INT64 tensor. */
  public static Tensor of(String name, long[] values, long... shape) {
    long[] s = check(name, shape, Objects.requireNonNull(values, "values").length);
    return new Tensor(name, DataType.INT64, s, ProtoContents.wrapOwned(Elements.longs(values)));
  }

  /** An FP32 tensor. */
  public static Tensor of(String name, float[] values, long... shape) {
    long[] s = check(name, shape, Objects.requireNonNull(values, "values").length);
    return new Tensor(name, DataType.FP32, s, ProtoContents.wrapOwned(Elements.floats(values)));
  }

  /** An FP64 tensor. */
  public static Tensor of(String name, double[] values, long... shape) {
    long[] s = check(name, shape, Objects.requireNonNull(values, "values").length);
    return new Tensor(name, DataType.FP64, s, ProtoContents.wrapOwned(Elements.doubles(values)));
  }

  /** A BOOL tensor. */
  public static Tensor of(String name, boolean[] values, long... shape) {
    long[] s = check(name, shape, Objects.requireNonNull(values, "values").length);
    return new Tensor(name, DataType.BOOL, s, ProtoContents.wrapOwned(Elements.booleans(values)));
  }

  /** A BYTES tensor of UTF-8 strings. */
  public static Tensor of(String name, String[] values, long... shape) {
    long[] s = check(name, shape, Objects.requireNonNull(values, "values").length);
    try {
      return new Tensor(
          name, DataType.BYTES, s, ProtoContents.wrapOwned(BytesFraming.write(utf8(values))));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("tensor " + name + ": " + e.getMessage(), e);
    }
  }

  /** A BYTES tensor of binary elements. */
  public static Tensor of(String name, byte[][] values, long... shape) {
    long[] s = check(name, shape, Objects.requireNonNull(values, "values").length);
    try {
      return new Tensor(
          name, DataType.BYTES, s, ProtoContents.wrapOwned(BytesFraming.write(values)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("tensor " + name + ": " + e.getMessage(), e);
    }
  }

  /** A UINT8 tensor (each byte read as 0..255 by the server). */
  public static Tensor ofUint8(String name, byte[] values, long... shape) {
    long[] s = check(name, shape, Objects.requireNonNull(values, "values").length);
    return new Tensor(name, DataType.UINT8, s, ByteString.copyFrom(values));
  }

  /** An INT8 tensor. */
  public static Tensor ofInt8(String name, byte[] values, long... shape) {
    long[] s = check(name, shape, Objects.requireNonNull(values, "values").length);
    return new Tensor(name, DataType.INT8, s, ByteString.copyFrom(values));
  }

  /** An FP16 tensor, each value rounded to the nearest half-precision float. */
  public static Tensor ofFp16(String name, float[] values, long... shape) {
    long[] s = check(name, shape, Objects.requireNonNull(values, "values").length);
    return new Tensor(name, DataType.FP16, s, ProtoContents.wrapOwned(Elements.fp16(values)));
  }

  /** A BF16 tensor, each value rounded to the nearest bfloat16. */
  public static Tensor ofBf16(String name, float[] values, long... shape) {
    long[] s = check(name, shape, Objects.requireNonNull(values, "values").length);
    return new Tensor(name, DataType.BF16, s, ProtoContents.wrapOwned(Elements.bf16(values)));
  }

  /**
   * A tensor from data already in the raw layout (for types without a factory, such as UINT16).
   *
   * @throws IllegalArgumentException if the byte length does not match the shape, or the BYTES
   *     layout is malformed
   */
  public static Tensor ofRaw(String name, DataType dataType, ByteString raw, long... shape) {
    Objects.requireNonNull(dataType, "dataType");
    Objects.requireNonNull(raw, "raw");
    long[] s = check(name, shape, -1);
    long count = Shapes.elementCount(name, s);
    if (dataType.isFixedSize()) {
      long expected = count * dataType.byteSize();
      if (raw.size() != expected) {
        throw new IllegalArgumentException(
            "tensor "
                + name
                + ": "
                + dataType
                + " shape "
                + Arrays.toString(s)
                + " needs "
                + expected
                + " bytes but "
                + raw.size()
                + " were given");
      }
    } else {
      BytesFraming.check(name, raw.asReadOnlyByteBuffer(), count);
    }
    return new Tensor(name, dataType, s, raw);
  }

  /** The tensor's name, as the model's signature knows it. */
  public String name() {
    return name;
  }

  public DataType dataType() {
    return dataType;
  }

  /** A copy of the shape. */
  public long[] shape() {
    return shape.clone();
  }

  /** The number of elements: the product of the shape. */
  public long elementCount() {
    return Shapes.elementCount(name, shape);
  }

  /** The data in the protocol's raw layout, as sent or received (no copy). */
  public ByteString rawData() {
    return data;
  }

  /** The values of an FP32, FP16 or BF16 tensor, widened to {@code float} where needed. */
  public float[] asFloats() {
    float[] out = new float[count()];
    ByteBuffer buffer = Elements.littleEndian(data.asReadOnlyByteBuffer());
    switch (dataType) {
      case FP32 -> buffer.asFloatBuffer().get(out);
      case FP16 -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = HalfPrecision.fromFp16(buffer.getShort());
        }
      }
      case BF16 -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = HalfPrecision.fromBf16(buffer.getShort());
        }
      }
      default -> throw wrongType("asFloats", "FP32, FP16 or BF16");
    }
    return out;
  }

  /** The values of an FP64 tensor, or of any float tensor widened to {@code double}. */
  public double[] asDoubles() {
    if (dataType == DataType.FP64) {
      double[] out = new double[count()];
      Elements.littleEndian(data.asReadOnlyByteBuffer()).asDoubleBuffer().get(out);
      return out;
    }
    if (dataType != DataType.FP32 && dataType != DataType.FP16 && dataType != DataType.BF16) {
      throw wrongType("asDoubles", "FP64, FP32, FP16 or BF16");
    }
    float[] floats = asFloats();
    double[] out = new double[floats.length];
    for (int i = 0; i < floats.length; i++) {
      out[i] = floats[i];
    }
    return out;
  }

  /** The values of an INT32 tensor, or of a narrower integer tensor (INT8/16, UINT8/16). */
  public int[] asInts() {
    int[] out = new int[count()];
    ByteBuffer buffer = Elements.littleEndian(data.asReadOnlyByteBuffer());
    switch (dataType) {
      case INT32 -> buffer.asIntBuffer().get(out);
      case INT16 -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = buffer.getShort();
        }
      }
      case UINT16 -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = Short.toUnsignedInt(buffer.getShort());
        }
      }
      case INT8 -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = buffer.get();
        }
      }
      case UINT8 -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = Byte.toUnsignedInt(buffer.get());
        }
      }
      default -> throw wrongType("asInts", "INT32, INT16, INT8, UINT16 or UINT8");
    }
    return out;
  }

  /**
   * The values of an INT64 tensor, or of any integer tensor widened to {@code long} (UINT64 values
   * over {@code Long.MAX_VALUE} come back negative: read them with {@link Long#toUnsignedString}).
   */
  public long[] asLongs() {
    long[] out = new long[count()];
    ByteBuffer buffer = Elements.littleEndian(data.asReadOnlyByteBuffer());
    switch (dataType) {
      case INT64, UINT64 -> buffer.asLongBuffer().get(out);
      case UINT32 -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = Integer.toUnsignedLong(buffer.getInt());
        }
      }
      case INT32, INT16, INT8, UINT16, UINT8 -> {
        int[] ints = asInts();
        for (int i = 0; i < out.length; i++) {
          out[i] = ints[i];
        }
      }
      default -> throw wrongType("asLongs", "an integer type");
    }
    return out;
  }

  /** The bytes of an INT8, UINT8 or BOOL tensor. */
  public byte[] asBytes() {
    if (dataType != DataType.INT8 && dataType != DataType.UINT8 && dataType != DataType.BOOL) {
      throw wrongType("asBytes", "INT8, UINT8 or BOOL");
    }
    return data.toByteArray();
  }

  /** The values of a BOOL tensor (any non-zero byte is true). */
  public boolean[] asBooleans() {
    if (dataType != DataType.BOOL) {
      throw wrongType("asBooleans", "BOOL");
    }
    boolean[] out = new boolean[count()];
    for (int i = 0; i < out.length; i++) {
      out[i] = data.byteAt(i) != 0;
    }
    return out;
  }

  /** The elements of a BYTES tensor, each decoded as UTF-8. */
  public String[] asStrings() {
    byte[][] elements = asByteArrays();
    String[] out = new String[elements.length];
    for (int i = 0; i < elements.length; i++) {
      out[i] = new String(elements[i], StandardCharsets.UTF_8);
    }
    return out;
  }

  /** The elements of a BYTES tensor. */
  public byte[][] asByteArrays() {
    if (dataType != DataType.BYTES) {
      throw wrongType("asByteArrays", "BYTES");
    }
    ByteBuffer[] elements = BytesFraming.elements(name, data.asReadOnlyByteBuffer(), count());
    byte[][] out = new byte[elements.length][];
    for (int i = 0; i < elements.length; i++) {
      out[i] = new byte[elements[i].remaining()];
      elements[i].get(out[i]);
    }
    return out;
  }

  @Override
  public String toString() {
    return name + " " + dataType + " " + Arrays.toString(shape);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Tensor t
        && name.equals(t.name)
        && dataType == t.dataType
        && Arrays.equals(shape, t.shape)
        && data.equals(t.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, dataType, Arrays.hashCode(shape), data);
  }

  private int count() {
    long count = elementCount();
    if (count > Integer.MAX_VALUE) {
      throw new IllegalStateException(
          "tensor " + name + " has " + count + " elements, too many for a Java array");
    }
    return (int) count;
  }

  private IllegalStateException wrongType(String method, String expected) {
    return new IllegalStateException(
        "tensor " + name + " is " + dataType + "; " + method + "() reads " + expected);
  }

  private static byte[][] utf8(String[] values) {
    byte[][] out = new byte[values.length][];
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null) {
        throw new IllegalArgumentException("string element " + i + " is null");
      }
      out[i] = values[i].getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }

  /** Validates name and shape and, when {@code valueCount >= 0}, that the values fill the shape. */
  private static long[] check(String name, long[] shape, long valueCount) {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("tensor name must not be empty");
    }
    Objects.requireNonNull(shape, "shape");
    long[] copy = shape.clone();
    if (valueCount >= 0) {
      Shapes.requireCount(name, copy, valueCount);
    } else {
      Shapes.elementCount(name, copy);
    }
    return copy;
  }
}
