package io.ringserve.wire;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The typed fields of one tensor ({@code InferTensorContents} in the protocol), as plain Java
 * lists: protobuf's repeated fields already are such lists ({@code getIntContentsList()}), so a
 * proto-facing module adapts a message with one getter per field and no copy. BYTES elements are
 * {@link ByteBuffer} views, which a protobuf {@code ByteString} gives without copying ({@code
 * asReadOnlyByteBuffer()}).
 *
 * <p>Unsigned fields hold the bits of the unsigned value: a UINT32 of 2^32-1 is the {@code Integer}
 * -1. Implementations are read-only views and as thread-safe as what they view.
 */
public interface TypedValues {
  /** {@code bool_contents}: BOOL. */
  List<Boolean> boolContents();

  /** {@code int_contents}: INT8, INT16, INT32. */
  List<Integer> intContents();

  /** {@code int64_contents}: INT64. */
  List<Long> int64Contents();

  /** {@code uint_contents}: UINT8, UINT16, UINT32. */
  List<Integer> uintContents();

  /** {@code uint64_contents}: UINT64. */
  List<Long> uint64Contents();

  /** {@code fp32_contents}: FP32. */
  List<Float> fp32Contents();

  /** {@code fp64_contents}: FP64. */
  List<Double> fp64Contents();

  /** {@code bytes_contents}: BYTES, one unframed element each. */
  List<ByteBuffer> bytesContents();
}
