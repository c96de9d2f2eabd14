package io.ringserve.batching;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads the wire layout of {@link DataType#BYTES} tensors: each element is a 4-byte little-endian
 * unsigned length followed by that many bytes, elements back to back.
 *
 * <p>Stateless and thread-safe.
 */
public final class BytesElements {
  private BytesElements() {}

  /**
   * Checks that {@code data} holds exactly {@code elements} well-formed elements.
   *
   * @throws IllegalArgumentException naming the tensor if a length prefix is cut short, points past
   *     the end, or the element count differs
   */
  public static void check(String tensorName, ByteBuffer data, long elements) {
    ByteBuffer in = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    long found = 0;
    while (in.hasRemaining()) {
      if (in.remaining() < 4) {
        throw new IllegalArgumentException(
            "tensor '"
                + tensorName
                + "' has a malformed BYTES element "
                + found
                + ": length prefix cut short");
      }
      long length = Integer.toUnsignedLong(in.getInt());
      if (length > in.remaining()) {
        throw new IllegalArgumentException(
            "tensor '"
                + tensorName
                + "' has a malformed BYTES element "
                + found
                + ": length "
                + length
                + " exceeds the "
                + in.remaining()
                + " bytes left");
      }
      in.position(in.position() + (int) length);
      found++;
    }
    if (found != elements) {
      throw new IllegalArgumentException(
          "tensor '"
              + tensorName
              + "' holds "
              + found
              + " BYTES elements but its shape needs "
              + elements);
    }
  }

  /**
   * Returns the byte offset just past the first {@code count} elements of well-formed BYTES data.
   */
  public static int offsetAfter(ByteBuffer data, long count) {
    ByteBuffer in = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int start = in.position();
    for (long i = 0; i < count; i++) {
      int length = in.getInt();
      in.position(in.position() + length);
    }
    return in.position() - start;
  }
}
