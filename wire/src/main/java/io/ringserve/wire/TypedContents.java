package io.ringserve.wire;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Converts between the protocol's typed fields ({@link TypedValues}) and the raw layout. FP16 and
 * BF16 have no typed field and are carried raw only.
 *
 * <p>Stateless and thread-safe. Both directions copy element by element and box on the typed side
 * (protobuf's repeated fields are boxed lists), so typed contents cost several times what raw
 * contents do; clients that care about speed send raw.
 */
public final class TypedContents {
  private TypedContents() {}

  /** Whether {@code type} has a typed field (all types but FP16 and BF16). */
  public static boolean hasTypedField(DataType type) {
    return type != DataType.FP16 && type != DataType.BF16;
  }

  /**
   * The typed field that carries {@code type}, as the protocol names it ({@code "int_contents"}).
   *
   * @throws IllegalArgumentException for FP16 and BF16
   */
  public static String fieldName(DataType type) {
    return switch (type) {
      case BOOL -> "bool_contents";
      case UINT8, UINT16, UINT32 -> "uint_contents";
      case UINT64 -> "uint64_contents";
      case INT8, INT16, INT32 -> "int_contents";
      case INT64 -> "int64_contents";
      case FP32 -> "fp32_contents";
      case FP64 -> "fp64_contents";
      case BYTES -> "bytes_contents";
      case FP16, BF16 -> throw noTypedField(type);
    };
  }

  /**
   * The raw form of the field of {@code values} that carries {@code type}; the other fields are
   * ignored.
   *
   * @return a heap buffer holding exactly the raw bytes, positioned at 0
   * @throws IllegalArgumentException for FP16 and BF16, or if the field does not hold {@code
   *     elements} values; the message says "its shape has N elements, its int_contents holds M"
   */
  public static ByteBuffer toRaw(DataType type, TypedValues values, long elements) {
    List<?> field = field(type, values);
    if (field.size() != elements) {
      throw new IllegalArgumentException(
          "its shape has "
              + elements
              + " elements, its "
              + fieldName(type)
              + " holds "
              + field.size());
    }
    if (type == DataType.BYTES) {
      return BytesFraming.write(values.bytesContents());
    }
    ByteBuffer out = Elements.allocate(type, elements);
    if (type == DataType.BOOL) {
      for (Boolean v : values.boolContents()) {
        out.put((byte) (v ? 1 : 0));
      }
    } else {
      for (Object v : field) {
        Elements.put(out, type, (Number) v);
      }
    }
    return out.flip();
  }

  /**
   * The typed form of {@code count} elements of raw {@code data} (position to limit): the field for
   * {@code type} filled, every other field empty. Narrow integers widen to {@code Integer},
   * unsigned ones without sign extension.
   *
   * @throws IllegalArgumentException naming the tensor for FP16 and BF16, or if the data does not
   *     hold {@code count} elements
   */
  public static TypedValues fromRaw(String tensorName, DataType type, ByteBuffer data, long count) {
    if (!hasTypedField(type)) {
      throw noTypedField(type);
    }
    if (type == DataType.BYTES) {
      return Fields.bytes(List.of(BytesFraming.elements(tensorName, data, count)));
    }
    int n = Math.toIntExact(count);
    ByteBuffer in = Elements.littleEndian(data);
    if (in.remaining() != (long) n * type.byteSize()) {
      throw new IllegalArgumentException(
          "tensor '"
              + tensorName
              + "' of datatype "
              + type
              + " needs "
              + (long) n * type.byteSize()
              + " bytes of data, got "
              + in.remaining());
    }
    List<Object> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(
          switch (type) {
            case BOOL -> in.get() != 0;
            case INT8 -> (int) in.get();
            case UINT8 -> Byte.toUnsignedInt(in.get());
            case INT16 -> (int) in.getShort();
            case UINT16 -> Short.toUnsignedInt(in.getShort());
            case INT32, UINT32 -> in.getInt();
            case INT64, UINT64 -> in.getLong();
            case FP32 -> in.getFloat();
            case FP64 -> in.getDouble();
            case FP16, BF16, BYTES -> throw new AssertionError(type);
          });
    }
    return Fields.of(type, out);
  }

  private static List<?> field(DataType type, TypedValues values) {
    return switch (type) {
      case BOOL -> values.boolContents();
      case UINT8, UINT16, UINT32 -> values.uintContents();
      case UINT64 -> values.uint64Contents();
      case INT8, INT16, INT32 -> values.intContents();
      case INT64 -> values.int64Contents();
      case FP32 -> values.fp32Contents();
      case FP64 -> values.fp64Contents();
      case BYTES -> values.bytesContents();
      case FP16, BF16 -> throw noTypedField(type);
    };
  }

  private static IllegalArgumentException noTypedField(DataType type) {
    return new IllegalArgumentException(type + " has no typed contents field");
  }

  /** Typed values with one field filled, the way {@link #fromRaw} answers. */
  private record Fields(DataType type, List<?> values, List<ByteBuffer> bytesContents)
      implements TypedValues {
    static Fields of(DataType type, List<?> values) {
      return new Fields(type, values, List.of());
    }

    static Fields bytes(List<ByteBuffer> elements) {
      return new Fields(DataType.BYTES, List.of(), elements);
    }

    @SuppressWarnings("unchecked")
    private <T> List<T> when(boolean filled) {
      return filled ? (List<T>) values : List.of();
    }

    @Override
    public List<Boolean> boolContents() {
      return when(type == DataType.BOOL);
    }

    @Override
    public List<Integer> intContents() {
      return when(type == DataType.INT8 || type == DataType.INT16 || type == DataType.INT32);
    }

    @Override
    public List<Long> int64Contents() {
      return when(type == DataType.INT64);
    }

    @Override
    public List<Integer> uintContents() {
      return when(type == DataType.UINT8 || type == DataType.UINT16 || type == DataType.UINT32);
    }

    @Override
    public List<Long> uint64Contents() {
      return when(type == DataType.UINT64);
    }

    @Override
    public List<Float> fp32Contents() {
      return when(type == DataType.FP32);
    }

    @Override
    public List<Double> fp64Contents() {
      return when(type == DataType.FP64);
    }
  }
}
