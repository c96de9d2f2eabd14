package io.ringserve.server.grpc;

import com.google.protobuf.ByteString;
import inference.GrpcService.InferTensorContents;
import io.ringserve.batching.DataType;
import io.ringserve.batching.InferenceException;
import io.ringserve.batching.InferenceException.Reason;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Turns typed tensor contents ({@code fp32_contents}, {@code int_contents}, ...) into the raw
 * little-endian layout every other part of the server works with. This is the one place that copies
 * element by element; clients that care about speed send {@code raw_input_contents}.
 */
final class TypedContents {
  private TypedContents() {}

  /**
   * Encodes {@code contents} as raw bytes of {@code type}.
   *
   * @throws InferenceException INVALID_INPUT naming the tensor if the type has no typed field
   *     (FP16, BF16) or the element count differs from the shape's
   */
  static ByteBuffer toRaw(
      String model, String tensor, DataType type, long elements, InferTensorContents contents) {
    int count =
        switch (type) {
          case BOOL -> contents.getBoolContentsCount();
          case UINT8, UINT16, UINT32 -> contents.getUintContentsCount();
          case UINT64 -> contents.getUint64ContentsCount();
          case INT8, INT16, INT32 -> contents.getIntContentsCount();
          case INT64 -> contents.getInt64ContentsCount();
          case FP32 -> contents.getFp32ContentsCount();
          case FP64 -> contents.getFp64ContentsCount();
          case BYTES -> contents.getBytesContentsCount();
          case FP16, BF16 ->
              throw invalid(
                  "input '"
                      + tensor
                      + "' for model '"
                      + model
                      + "' has datatype "
                      + type
                      + ", which has no typed contents field: send it in raw_input_contents");
        };
    if (count != elements) {
      throw invalid(
          "unexpected number of elements for input '"
              + tensor
              + "' for model '"
              + model
              + "': its shape has "
              + elements
              + " elements, its "
              + fieldName(type)
              + " holds "
              + count);
    }
    if (type == DataType.BYTES) {
      return bytesToRaw(contents);
    }
    ByteBuffer out =
        ByteBuffer.allocate(Math.multiplyExact(count, type.byteSize()))
            .order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < count; i++) {
      switch (type) {
        case BOOL -> out.put((byte) (contents.getBoolContents(i) ? 1 : 0));
        case UINT8 -> out.put((byte) contents.getUintContents(i));
        case INT8 -> out.put((byte) contents.getIntContents(i));
        case UINT16 -> out.putShort((short) contents.getUintContents(i));
        case INT16 -> out.putShort((short) contents.getIntContents(i));
        case UINT32 -> out.putInt(contents.getUintContents(i));
        case INT32 -> out.putInt(contents.getIntContents(i));
        case UINT64 -> out.putLong(contents.getUint64Contents(i));
        case INT64 -> out.putLong(contents.getInt64Contents(i));
        case FP32 -> out.putFloat(contents.getFp32Contents(i));
        case FP64 -> out.putDouble(contents.getFp64Contents(i));
        default -> throw new AssertionError(type);
      }
    }
    return out.flip();
  }

  private static ByteBuffer bytesToRaw(InferTensorContents contents) {
    long size = 0;
    for (ByteString element : contents.getBytesContentsList()) {
      size += 4L + element.size();
    }
    ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(size)).order(ByteOrder.LITTLE_ENDIAN);
    for (ByteString element : contents.getBytesContentsList()) {
      out.putInt(element.size());
      element.copyTo(out);
    }
    return out.flip();
  }

  /** The typed field that carries {@code type}, as the protocol names it. */
  static String fieldName(DataType type) {
    return switch (type) {
      case BOOL -> "bool_contents";
      case UINT8, UINT16, UINT32 -> "uint_contents";
      case UINT64 -> "uint64_contents";
      case INT8, INT16, INT32 -> "int_contents";
      case INT64 -> "int64_contents";
      case FP32 -> "fp32_contents";
      case FP64 -> "fp64_contents";
      case BYTES -> "bytes_contents";
      case FP16, BF16 -> "raw_input_contents";
    };
  }

  static InferenceException invalid(String message) {
    return new InferenceException(Reason.INVALID_INPUT, message);
  }
}
