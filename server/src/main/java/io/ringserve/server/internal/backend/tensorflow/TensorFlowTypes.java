package io.ringserve.server.internal.backend.tensorflow;

import io.ringserve.wire.DataType;
import java.util.EnumMap;
import java.util.Map;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint16;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TType;

/**
 * Maps TensorFlow element types to the protocol's {@link DataType} and to the TensorFlow Java
 * tensor classes that can hold them.
 *
 * <p>TensorFlow Java 1.1.0 has tensor classes for BOOL, UINT8, UINT16, INT32, INT64, HALF,
 * BFLOAT16, FLOAT, DOUBLE and STRING only. It cannot create, feed or fetch DT_INT8, DT_INT16,
 * DT_UINT32 or DT_UINT64 tensors at all, so a signature using them is refused when the model loads
 * rather than on every request. The raw memory layout of every supported fixed-size type equals the
 * protocol's little-endian layout on a little-endian host (BOOL is one byte, 0 or 1, in both).
 *
 * <p>Stateless and thread-safe.
 */
final class TensorFlowTypes {
  private static final Map<DataType, Class<? extends TType>> TENSOR_CLASSES =
      new EnumMap<>(DataType.class);

  static {
    TENSOR_CLASSES.put(DataType.BOOL, TBool.class);
    TENSOR_CLASSES.put(DataType.UINT8, TUint8.class);
    TENSOR_CLASSES.put(DataType.UINT16, TUint16.class);
    TENSOR_CLASSES.put(DataType.INT32, TInt32.class);
    TENSOR_CLASSES.put(DataType.INT64, TInt64.class);
    TENSOR_CLASSES.put(DataType.FP16, TFloat16.class);
    TENSOR_CLASSES.put(DataType.BF16, TBfloat16.class);
    TENSOR_CLASSES.put(DataType.FP32, TFloat32.class);
    TENSOR_CLASSES.put(DataType.FP64, TFloat64.class);
    TENSOR_CLASSES.put(DataType.BYTES, TString.class);
  }

  private TensorFlowTypes() {}

  /**
   * The protocol type of a TensorFlow element type, or {@code null} if the protocol has none (for
   * example DT_COMPLEX64 or DT_RESOURCE).
   */
  static DataType toDataType(org.tensorflow.proto.DataType tfType) {
    switch (tfType) {
      case DT_BOOL:
        return DataType.BOOL;
      case DT_UINT8:
        return DataType.UINT8;
      case DT_UINT16:
        return DataType.UINT16;
      case DT_UINT32:
        return DataType.UINT32;
      case DT_UINT64:
        return DataType.UINT64;
      case DT_INT8:
        return DataType.INT8;
      case DT_INT16:
        return DataType.INT16;
      case DT_INT32:
        return DataType.INT32;
      case DT_INT64:
        return DataType.INT64;
      case DT_HALF:
        return DataType.FP16;
      case DT_BFLOAT16:
        return DataType.BF16;
      case DT_FLOAT:
        return DataType.FP32;
      case DT_DOUBLE:
        return DataType.FP64;
      case DT_STRING:
        return DataType.BYTES;
      default:
        return null;
    }
  }

  /**
   * The TensorFlow Java class for tensors of {@code type}, or {@code null} if TensorFlow Java
   * cannot hold it.
   */
  static Class<? extends TType> tensorClass(DataType type) {
    return TENSOR_CLASSES.get(type);
  }
}
