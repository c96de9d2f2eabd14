package io.ringserve.server.internal.backend.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo.OnnxTensorType;
import io.ringserve.wire.DataType;

/**
 * Maps ONNX element types to the protocol's {@link DataType} and to the {@link OnnxJavaType} that
 * ONNX Runtime Java creates tensors of.
 *
 * <p>ONNX Runtime Java 1.23 can create and read tensors of BOOL, UINT8, INT8, INT16, INT32, INT64,
 * FLOAT16, BFLOAT16, FLOAT, DOUBLE and STRING. It has no Java type for UINT16, UINT32 or UINT64, so
 * a model with such an input or output is refused when it loads rather than on every request. The
 * raw memory layout of every fixed-size type equals the protocol's little-endian layout on a
 * little-endian host (BOOL is one byte, 0 or 1, in both).
 *
 * <p>Stateless and thread-safe.
 */
final class OnnxTypes {
  private OnnxTypes() {}

  /**
   * The protocol type of an ONNX element type, or {@code null} if ONNX Runtime Java cannot feed or
   * fetch it.
   */
  static DataType toDataType(OnnxTensorType onnxType) {
    switch (onnxType) {
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL:
        return DataType.BOOL;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8:
        return DataType.UINT8;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8:
        return DataType.INT8;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16:
        return DataType.INT16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32:
        return DataType.INT32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64:
        return DataType.INT64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16:
        return DataType.FP16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16:
        return DataType.BF16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT:
        return DataType.FP32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE:
        return DataType.FP64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING:
        return DataType.BYTES;
      default:
        return null;
    }
  }

  /** The ONNX Runtime Java type that fixed-size tensors of {@code type} are created as. */
  static OnnxJavaType toJavaType(DataType type) {
    switch (type) {
      case BOOL:
        return OnnxJavaType.BOOL;
      case UINT8:
        return OnnxJavaType.UINT8;
      case INT8:
        return OnnxJavaType.INT8;
      case INT16:
        return OnnxJavaType.INT16;
      case INT32:
        return OnnxJavaType.INT32;
      case INT64:
        return OnnxJavaType.INT64;
      case FP16:
        return OnnxJavaType.FLOAT16;
      case BF16:
        return OnnxJavaType.BFLOAT16;
      case FP32:
        return OnnxJavaType.FLOAT;
      case FP64:
        return OnnxJavaType.DOUBLE;
      case BYTES:
        return OnnxJavaType.STRING;
      default:
        throw new IllegalArgumentException("ONNX Runtime Java has no tensor type for " + type);
    }
  }
}
