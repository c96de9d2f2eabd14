package io.ringserve.wire;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The tensor element types of the KServe v2 protocol, with their wire names ({@code "FP32"}) and
 * sizes. Raw tensor data is little-endian and row-major; BOOL is one byte per element; BYTES
 * elements are framed as {@link BytesFraming} describes.
 *
 * <p>Wire names are case-sensitive upper-case, as in Triton: {@code "fp32"} names no type. Two
 * lookups: {@link #lookup} for callers that word their own error (the server answers in Triton's
 * words), {@link #fromWireName} for callers that want an exception.
 *
 * <p>Immutable and thread-safe; lookups are one hash-map probe.
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
  /** Variable-size elements: strings or blobs, each length-prefixed on the wire. */
  BYTES(-1),
  BF16(2);

  private static final Map<String, DataType> BY_WIRE_NAME = byWireName();

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

  /**
   * Whether {@code value}, read as a signed number, lies within this integer type's range: INT8 to
   * INT32 and UINT8 to UINT32 by their widths, INT64 always, UINT64 from 0 to {@link
   * Long#MAX_VALUE} (a larger UINT64 does not fit a signed {@code long}; a caller that parsed it as
   * unsigned checks it itself). Other types hold no integers.
   */
  public boolean holdsInteger(long value) {
    return switch (this) {
      case INT8 -> value >= Byte.MIN_VALUE && value <= Byte.MAX_VALUE;
      case INT16 -> value >= Short.MIN_VALUE && value <= Short.MAX_VALUE;
      case INT32 -> value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE;
      case INT64 -> true;
      case UINT8 -> value >= 0 && value <= 0xFF;
      case UINT16 -> value >= 0 && value <= 0xFFFF;
      case UINT32 -> value >= 0 && value <= 0xFFFF_FFFFL;
      case UINT64 -> value >= 0;
      default -> false;
    };
  }

  /** The protocol's name for this type, as in {@code InferInputTensor.datatype}. */
  public String wireName() {
    return name();
  }

  /**
   * The type a protocol datatype string names, or empty if it names none (including {@code null}
   * and names in the wrong case).
   */
  public static Optional<DataType> lookup(String wireName) {
    return wireName == null ? Optional.empty() : Optional.ofNullable(BY_WIRE_NAME.get(wireName));
  }

  /**
   * The type a protocol datatype string names.
   *
   * @throws IllegalArgumentException if {@code wireName} is not a v2 datatype
   */
  public static DataType fromWireName(String wireName) {
    Objects.requireNonNull(wireName, "wireName");
    return lookup(wireName)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown datatype \""
                        + wireName
                        + "\"; expected one of the v2 types (FP32, INT64, ...)"));
  }

  private static Map<String, DataType> byWireName() {
    DataType[] types = values();
    @SuppressWarnings("unchecked")
    Map.Entry<String, DataType>[] entries = new Map.Entry[types.length];
    for (int i = 0; i < types.length; i++) {
      entries[i] = Map.entry(types[i].wireName(), types[i]);
    }
    return Map.ofEntries(entries);
  }
}
