package io.ringserve.client;

import java.util.Objects;

/**
 * The tensor element types of the KServe v2 protocol, with their wire names ({@code "FP32"}) and
 * sizes. Raw tensor data is little-endian and row-major; BYTES elements are each a 4-byte
 * little-endian length followed by that many bytes.
 *
 * <p>Immutable and thread-safe.
 */
public enum DataType {
  BOOL(1),
  UINT8(1),
  UINT16(2),
  UINT32(4),
  UINT64(8),
  INT8(1),
  INT16(2),
  INT32(4),
  INT64(8),
  FP16(2),
  FP32(4),
  FP64(8),
  /** Variable-size elements: strings or blobs. */
  BYTES(-1),
  BF16(2);

  private final int byteSize;

  DataType(int byteSize) {
    this.byteSize = byteSize;
  }

  /** Bytes per element, or -1 for {@link #BYTES}, whose elements vary in size. */
  public int byteSize() {
    return byteSize;
  }

  /** Whether every element has the same size (all types but {@link #BYTES}). */
  public boolean isFixedSize() {
    return byteSize > 0;
  }

  /** The protocol's name for this type, as in {@code InferInputTensor.datatype}. */
  public String wireName() {
    return name();
  }

  /**
   * The type a protocol datatype string names.
   *
   * @throws IllegalArgumentException if {@code wireName} is not a v2 datatype
   */
  public static DataType fromWireName(String wireName) {
    Objects.requireNonNull(wireName, "wireName");
    try {
      return valueOf(wireName);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown datatype \"" + wireName + "\"; expected one of the v2 types (FP32, INT64, ...)",
          e);
    }
  }
}
