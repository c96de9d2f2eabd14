package io.ringserve.server.model;

import io.ringserve.wire.DataType;

/**
 * Converts between the model config's {@code inference.DataType} enum ({@code TYPE_FP32}) and the
 * protocol's datatype strings ({@code "FP32"}): drop the {@code TYPE_} prefix, except that {@code
 * TYPE_STRING} is {@code "BYTES"}.
 */
public final class DataTypes {
  private DataTypes() {}

  /** The tensor type of a config data type, or {@code null} for {@code TYPE_INVALID}. */
  public static DataType fromConfig(inference.ModelConfigOuterClass.DataType configType) {
    return switch (configType) {
      case TYPE_BOOL -> DataType.BOOL;
      case TYPE_UINT8 -> DataType.UINT8;
      case TYPE_UINT16 -> DataType.UINT16;
      case TYPE_UINT32 -> DataType.UINT32;
      case TYPE_UINT64 -> DataType.UINT64;
      case TYPE_INT8 -> DataType.INT8;
      case TYPE_INT16 -> DataType.INT16;
      case TYPE_INT32 -> DataType.INT32;
      case TYPE_INT64 -> DataType.INT64;
      case TYPE_FP16 -> DataType.FP16;
      case TYPE_FP32 -> DataType.FP32;
      case TYPE_FP64 -> DataType.FP64;
      case TYPE_STRING -> DataType.BYTES;
      case TYPE_BF16 -> DataType.BF16;
      case TYPE_INVALID, UNRECOGNIZED -> null;
    };
  }

  /** The config data type of a tensor type. */
  public static inference.ModelConfigOuterClass.DataType toConfig(DataType type) {
    return type == DataType.BYTES
        ? inference.ModelConfigOuterClass.DataType.TYPE_STRING
        : inference.ModelConfigOuterClass.DataType.valueOf("TYPE_" + type.name());
  }
}
