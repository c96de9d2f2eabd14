package io.ringserve.batching;

import java.util.Locale;

/**
 * The tensor element types of the KServe v2 protocol. The enum constant names are the protocol's
 * datatype strings ({@code "FP32"}, {@code "BYTES"}, ...).
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
  /** Variable-size elements, each a 4-byte little-endian length followed by that many bytes. */
  BYTES(-1),
  BF16(2);

  private final int byteSize;

  DataType(int byteSize) {
    this.byteSize = byteSize;
  }

  /** Bytes per element, or -1 for {@link #BYTES} whose elements vary in size. */
  public int byteSize() {
    return byteSize;
  }

  /** True for every type but {@link #BYTES}. */
  public boolean isFixedSize() {
    return byteSize > 0;
  }

  /** The protocol's name for this type, for example {@code "FP32"}. */
  public String wireName() {
    return name();
  }

  /**
   * Parses a protocol datatype string.
   *
   * @return the type, or {@code null} if the string names no type of the protocol
   */
  public static DataType fromWireName(String name) {
    if (name == null) {
      return null;
    }
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException unknown) {
      return null;
    }
  }
}
