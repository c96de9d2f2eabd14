package io.ringserve.client.internal;

import com.google.protobuf.ByteString;
import inference.GrpcService.InferTensorContents;
import io.ringserve.client.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Converts between the raw tensor layout and the protocol's typed fields ({@code
 * InferTensorContents}), for servers that answer in typed form and for requests that ask to be sent
 * that way. Stateless; each conversion copies the data once.
 */
public final class TypedContents {
  private TypedContents() {}

  /**
   * The typed form of raw data.
   *
   * @throws IllegalArgumentException for FP16 and BF16, which the protocol carries only raw
   */
  public static InferTensorContents fromRaw(
      String tensor, DataType type, ByteString raw, long count) {
    ByteBuffer in = RawEncoding.littleEndian(raw);
    InferTensorContents.Builder out = InferTensorContents.newBuilder();
    int n = Math.toIntExact(count);
    switch (type) {
      case BOOL -> {
        for (int i = 0; i < n; i++) {
          out.addBoolContents(in.get() != 0);
        }
      }
      case INT8 -> {
        for (int i = 0; i < n; i++) {
          out.addIntContents(in.get());
        }
      }
      case INT16 -> {
        for (int i = 0; i < n; i++) {
          out.addIntContents(in.getShort());
        }
      }
      case INT32 -> {
        for (int i = 0; i < n; i++) {
          out.addIntContents(in.getInt());
        }
      }
      case INT64 -> {
        for (int i = 0; i < n; i++) {
          out.addInt64Contents(in.getLong());
        }
      }
      case UINT8 -> {
        for (int i = 0; i < n; i++) {
          out.addUintContents(Byte.toUnsignedInt(in.get()));
        }
      }
      case UINT16 -> {
        for (int i = 0; i < n; i++) {
          out.addUintContents(Short.toUnsignedInt(in.getShort()));
        }
      }
      case UINT32 -> {
        for (int i = 0; i < n; i++) {
          out.addUintContents(in.getInt());
        }
      }
      case UINT64 -> {
        for (int i = 0; i < n; i++) {
          out.addUint64Contents(in.getLong());
        }
      }
      case FP32 -> {
        for (int i = 0; i < n; i++) {
          out.addFp32Contents(in.getFloat());
        }
      }
      case FP64 -> {
        for (int i = 0; i < n; i++) {
          out.addFp64Contents(in.getDouble());
        }
      }
      case BYTES -> {
        for (byte[] element : RawEncoding.splitBytes(tensor, raw, count)) {
          out.addBytesContents(ByteString.copyFrom(element));
        }
      }
      case FP16, BF16 ->
          throw new IllegalArgumentException(
              "tensor " + tensor + ": " + type + " has no typed field; send it as raw contents");
    }
    return out.build();
  }

  /**
   * The raw form of typed contents.
   *
   * @throws IllegalStateException if the typed field for {@code type} has the wrong element count
   */
  public static ByteString toRaw(
      String tensor, DataType type, InferTensorContents contents, long count) {
    int n = Math.toIntExact(count);
    if (type == DataType.BYTES) {
      requireCount(tensor, type, contents.getBytesContentsCount(), n);
      List<byte[]> elements = new ArrayList<>(n);
      for (ByteString b : contents.getBytesContentsList()) {
        elements.add(b.toByteArray());
      }
      return RawEncoding.byteArrays(elements.toArray(new byte[0][]));
    }
    if (!type.isFixedSize() || type == DataType.FP16 || type == DataType.BF16) {
      throw new IllegalStateException(
          "tensor " + tensor + ": " + type + " cannot come in typed contents");
    }
    ByteBuffer out = ByteBuffer.allocate(n * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    switch (type) {
      case BOOL -> {
        requireCount(tensor, type, contents.getBoolContentsCount(), n);
        contents.getBoolContentsList().forEach(v -> out.put((byte) (v ? 1 : 0)));
      }
      case INT8, UINT8 -> {
        List<Integer> values = intsFor(tensor, type, contents, n);
        values.forEach(v -> out.put(v.byteValue()));
      }
      case INT16, UINT16 -> {
        List<Integer> values = intsFor(tensor, type, contents, n);
        values.forEach(v -> out.putShort(v.shortValue()));
      }
      case INT32, UINT32 -> {
        List<Integer> values = intsFor(tensor, type, contents, n);
        values.forEach(out::putInt);
      }
      case INT64 -> {
        requireCount(tensor, type, contents.getInt64ContentsCount(), n);
        contents.getInt64ContentsList().forEach(out::putLong);
      }
      case UINT64 -> {
        requireCount(tensor, type, contents.getUint64ContentsCount(), n);
        contents.getUint64ContentsList().forEach(out::putLong);
      }
      case FP32 -> {
        requireCount(tensor, type, contents.getFp32ContentsCount(), n);
        contents.getFp32ContentsList().forEach(out::putFloat);
      }
      case FP64 -> {
        requireCount(tensor, type, contents.getFp64ContentsCount(), n);
        contents.getFp64ContentsList().forEach(out::putDouble);
      }
      default -> throw new AssertionError(type);
    }
    return ByteString.copyFrom(out.flip());
  }

  private static List<Integer> intsFor(
      String tensor, DataType type, InferTensorContents contents, int n) {
    boolean unsigned = type == DataType.UINT8 || type == DataType.UINT16 || type == DataType.UINT32;
    List<Integer> values =
        unsigned ? contents.getUintContentsList() : contents.getIntContentsList();
    requireCount(tensor, type, values.size(), n);
    return values;
  }

  private static void requireCount(String tensor, DataType type, int actual, int expected) {
    if (actual != expected) {
      throw new IllegalStateException(
          "tensor "
              + tensor
              + ": "
              + type
              + " typed contents hold "
              + actual
              + " value(s) but the shape needs "
              + expected);
    }
  }
}
