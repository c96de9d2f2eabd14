package io.ringserve.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * The wire layout of {@link DataType#BYTES} tensors: each element is a 4-byte little-endian
 * unsigned length followed by that many bytes, elements back to back, no terminator and no padding.
 * Elements may be empty and may hold any byte, NUL included.
 *
 * <p>Stateless and thread-safe. {@link #check} and {@link #offsetAfter} walk the length prefixes
 * without copying; {@link #elements} returns views; {@link #write} copies each element once.
 */
public final class BytesFraming {
  /** Bytes of the length prefix in front of every element. */
  public static final int PREFIX_BYTES = Integer.BYTES;

  private BytesFraming() {}

  /**
   * Frames {@code elements}, each from its position to its limit (the buffers are not moved).
   *
   * @return a heap buffer holding exactly the framed bytes, positioned at 0
   * @throws IllegalArgumentException naming the element if one is null, or if the result would be
   *     over 2 GiB
   */
  public static ByteBuffer write(List<ByteBuffer> elements) {
    long total = 0;
    for (int i = 0, n = elements.size(); i < n; i++) {
      ByteBuffer element = elements.get(i);
      if (element == null) {
        throw new IllegalArgumentException("BYTES element " + i + " is null");
      }
      total += PREFIX_BYTES + element.remaining();
    }
    if (total > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("BYTES tensor is over 2 GiB: " + total + " bytes");
    }
    ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0, n = elements.size(); i < n; i++) {
      ByteBuffer element = elements.get(i);
      out.putInt(element.remaining()).put(element.duplicate());
    }
    return out.flip();
  }

  /** Frames byte arrays; see {@link #write(List)}. */
  public static ByteBuffer write(byte[][] elements) {
    ByteBuffer[] views = new ByteBuffer[elements.length];
    for (int i = 0; i < elements.length; i++) {
      views[i] = elements[i] == null ? null : ByteBuffer.wrap(elements[i]);
    }
    return write(Arrays.asList(views));
  }

  /**
   * Checks that {@code data} (position to limit) holds exactly {@code elements} well-formed
   * elements.
   *
   * @throws IllegalArgumentException naming the tensor if a length prefix is cut short, points past
   *     the end, or the element count differs
   */
  public static void check(String tensorName, ByteBuffer data, long elements) {
    long found = count(tensorName, data);
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
   * The number of elements in {@code data} (position to limit).
   *
   * @throws IllegalArgumentException naming the tensor if a length prefix is cut short or points
   *     past the end
   */
  public static long count(String tensorName, ByteBuffer data) {
    ByteBuffer in = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    long found = 0;
    while (in.hasRemaining()) {
      skipElement(tensorName, in, found);
      found++;
    }
    return found;
  }

  /**
   * Views of the {@code count} elements of {@code data} (position to limit), without their
   * prefixes; the views share {@code data}'s memory.
   *
   * @throws IllegalArgumentException as {@link #check} does
   */
  public static ByteBuffer[] elements(String tensorName, ByteBuffer data, long count) {
    check(tensorName, data, count);
    ByteBuffer in = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer[] out = new ByteBuffer[Math.toIntExact(count)];
    for (int i = 0; i < out.length; i++) {
      int length = in.getInt();
      out[i] = in.slice(in.position(), length);
      in.position(in.position() + length);
    }
    return out;
  }

  /**
   * The byte offset just past the first {@code count} elements of {@code data}, which must be
   * well-formed (see {@link #check}).
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

  private static void skipElement(String tensorName, ByteBuffer in, long index) {
    if (in.remaining() < PREFIX_BYTES) {
      throw new IllegalArgumentException(
          "tensor '"
              + tensorName
              + "' has a malformed BYTES element "
              + index
              + ": length prefix cut short");
    }
    long length = Integer.toUnsignedLong(in.getInt());
    if (length > in.remaining()) {
      throw new IllegalArgumentException(
          "tensor '"
              + tensorName
              + "' has a malformed BYTES element "
              + index
              + ": length "
              + length
              + " exceeds the "
              + in.remaining()
              + " bytes left");
    }
    in.position(in.position() + (int) length);
  }
}
