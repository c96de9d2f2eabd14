package io.ringserve.batching;

import io.ringserve.wire.BytesFraming;
import io.ringserve.wire.DataType;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A named, typed, shaped block of tensor data in the wire layout of the KServe v2 protocol:
 * row-major, little-endian, no padding; {@link DataType#BYTES} elements keep their 4-byte
 * little-endian length prefixes.
 *
 * <p>Immutable and thread-safe. The data buffer is never copied by this class: a tensor made from a
 * gRPC message's bytes views those bytes, and {@link #data()} hands out independent read-only
 * views. The one exception is a tensor {@link #joined} from parts, whose {@link #data()} joins them
 * once, when first asked.
 */
public final class Tensor implements BatchDimension.Shaped {
  private final String name;
  private final DataType dataType;
  private final long[] shape;

  /** The data; for a tensor {@link #joined} from parts, null until {@link #data()} needs it. */
  private volatile ByteBuffer data;

  /** The parts of a {@link #joined} tensor, in order; null for a tensor with one buffer. */
  private final Tensor[] parts;

  private final int byteSize;

  private Tensor(String name, DataType dataType, long[] shape, ByteBuffer data) {
    this.name = name;
    this.dataType = dataType;
    this.shape = shape;
    this.data = data;
    this.parts = null;
    this.byteSize = data.remaining();
  }

  private Tensor(String name, DataType dataType, long[] shape, Tensor[] parts, int byteSize) {
    this.name = name;
    this.dataType = dataType;
    this.shape = shape;
    this.parts = parts;
    this.byteSize = byteSize;
  }

  /**
   * A tensor whose data is that of {@code parts} one after the other (a batch's input, joined along
   * dimension 0 from its requests' inputs), without copying them: {@link #copyTo} writes each part
   * in turn, which is how an engine fills its own input memory, so a batch of several requests is
   * copied once, into the engine. {@link #data()} joins them on the heap the first time it is asked
   * (one copy, kept), for the callers that need a single buffer.
   *
   * @throws IllegalArgumentException if a part has another datatype, the parts together do not hold
   *     what {@code shape} needs, or they would exceed 2 GiB; the message names the tensor
   */
  public static Tensor joined(String name, DataType dataType, long[] shape, List<Tensor> parts) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dataType, "dataType");
    long[] ownShape = shape.clone();
    long elements = elementCount(name, ownShape);
    long bytes = 0;
    long partElements = 0;
    for (Tensor part : parts) {
      if (part.dataType != dataType) {
        throw new IllegalArgumentException(
            "tensor '" + name + "' of datatype " + dataType + " cannot join a " + part.dataType);
      }
      bytes += part.byteSize;
      partElements += part.elementCount();
    }
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "input '" + name + "' of the batch would hold " + bytes + " bytes, more than 2 GiB");
    }
    if (partElements != elements
        || (dataType.isFixedSize() && bytes != elements * dataType.byteSize())) {
      throw new IllegalArgumentException(
          "tensor '"
              + name
              + "' of shape "
              + Arrays.toString(ownShape)
              + " cannot be joined from parts holding "
              + partElements
              + " elements in "
              + bytes
              + " bytes");
    }
    return new Tensor(name, dataType, ownShape, parts.toArray(new Tensor[0]), (int) bytes);
  }

  /** The data in one buffer: for a joined tensor, its parts copied together the first time. */
  private ByteBuffer buffer() {
    ByteBuffer b = data;
    if (b == null) {
      // Two threads may both join; each gets the same bytes, and one of the copies is kept.
      ByteBuffer all = ByteBuffer.allocate(byteSize).order(ByteOrder.LITTLE_ENDIAN);
      for (Tensor part : parts) {
        part.copyTo(all);
      }
      b = all.flip().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
      data = b;
    }
    return b;
  }

  /**
   * Makes a tensor that views {@code data} from its position to its limit.
   *
   * @throws IllegalArgumentException if a dimension is negative, the element count overflows, the
   *     byte length does not match the shape, or BYTES length prefixes are malformed; the message
   *     names the tensor and the problem
   */
  public static Tensor of(String name, DataType dataType, long[] shape, ByteBuffer data) {
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(data, "data");
    return checked(name, dataType, shape.clone(), view(data));
  }

  /**
   * As {@link #of}, but keeps {@code shape} and {@code data} themselves instead of a copy and a
   * view: for a caller that made both for this tensor alone and hands them over, such as a request
   * decoder that views each input where it lies in the message. The caller must never write {@code
   * shape} again nor move {@code data}'s position or limit. A {@code data} that is writable or not
   * positioned at 0 is viewed as {@link #of} views it.
   *
   * @throws IllegalArgumentException as {@link #of} does
   */
  public static Tensor ofOwned(String name, DataType dataType, long[] shape, ByteBuffer data) {
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(data, "data");
    ByteBuffer own =
        data.isReadOnly() && data.position() == 0
            ? data.order(ByteOrder.LITTLE_ENDIAN)
            : view(data);
    return checked(name, dataType, shape, own);
  }

  /** A read-only little-endian view of {@code data} from its position to its limit. */
  private static ByteBuffer view(ByteBuffer data) {
    // A slice of a read-only buffer is read-only already: one view, not two, per tensor made.
    ByteBuffer slice = data.slice();
    return (slice.isReadOnly() ? slice : slice.asReadOnlyBuffer()).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static Tensor checked(String name, DataType dataType, long[] ownShape, ByteBuffer view) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dataType, "dataType");
    long elements = elementCount(name, ownShape);
    if (dataType.isFixedSize()) {
      long expected = multiplyExact(name, elements, dataType.byteSize());
      if (view.remaining() != expected) {
        throw new IllegalArgumentException(
            "tensor '"
                + name
                + "' of datatype "
                + dataType
                + " and shape "
                + Arrays.toString(ownShape)
                + " needs "
                + expected
                + " bytes of data, got "
                + view.remaining());
      }
    } else {
      BytesFraming.check(name, view, elements);
    }
    return new Tensor(name, dataType, ownShape, view);
  }

  /**
   * Returns the number of elements of a shape.
   *
   * @throws IllegalArgumentException if a dimension is negative or the count overflows a long
   */
  public static long elementCount(String tensorName, long[] shape) {
    long count = 1;
    for (long dim : shape) {
      if (dim < 0) {
        throw new IllegalArgumentException(
            "tensor '"
                + tensorName
                + "' has a negative dimension in shape "
                + Arrays.toString(shape));
      }
      count = multiplyExact(tensorName, count, dim);
    }
    return count;
  }

  private static long multiplyExact(String tensorName, long a, long b) {
    try {
      return Math.multiplyExact(a, b);
    } catch (ArithmeticException overflow) {
      throw new IllegalArgumentException(
          "tensor '" + tensorName + "' has a shape whose size overflows", overflow);
    }
  }

  /** The tensor's name, as the model's signature or config names it. */
  @Override
  public String name() {
    return name;
  }

  /** The element type. */
  public DataType dataType() {
    return dataType;
  }

  /** A copy of the shape, outermost dimension first. */
  public long[] shape() {
    return shape.clone();
  }

  /** The number of dimensions. */
  @Override
  public int rank() {
    return shape.length;
  }

  /** The size of dimension {@code index}. */
  @Override
  public long dim(int index) {
    return shape[index];
  }

  /** The number of elements, the product of the shape. */
  public long elementCount() {
    return elementCount(name, shape);
  }

  /** The size of the data in bytes (for BYTES, including the length prefixes). */
  public int byteSize() {
    return byteSize;
  }

  /**
   * Whether the data is in one direct (native) buffer, so that an engine may use it where it lies;
   * false for a tensor {@link #joined} from parts, which is copied with {@link #copyTo}.
   */
  public boolean isDirect() {
    ByteBuffer b = data;
    return parts == null && b.isDirect();
  }

  /** A new read-only little-endian view of the data, positioned at its start. */
  public ByteBuffer data() {
    return buffer().duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * Copies the data into {@code target} at its position and advances the position past it, as
   * {@code target.put(data())} would, without making a view first: the batch concatenation calls
   * this once per request and input.
   *
   * @throws BufferOverflowException if {@code target} has less room than {@link #byteSize()}
   */
  public void copyTo(ByteBuffer target) {
    int at = target.position();
    if (target.remaining() < byteSize) {
      throw new BufferOverflowException();
    }
    ByteBuffer b = data;
    if (b == null) {
      for (Tensor part : parts) {
        part.copyTo(target);
      }
      return;
    }
    target.put(at, b, b.position(), byteSize);
    target.position(at + byteSize);
  }

  /** The same data and type under another name and shape with the same element count. */
  public Tensor reshaped(long[] newShape) {
    if (elementCount(name, newShape) != elementCount()) {
      throw new IllegalArgumentException(
          "tensor '"
              + name
              + "' cannot be reshaped from "
              + Arrays.toString(shape)
              + " to "
              + Arrays.toString(newShape));
    }
    return parts != null && data == null
        ? new Tensor(name, dataType, newShape.clone(), parts, byteSize)
        : new Tensor(name, dataType, newShape.clone(), buffer());
  }

  /** The same data, type and shape under another name. */
  public Tensor renamed(String newName) {
    Objects.requireNonNull(newName, "newName");
    return parts != null && data == null
        ? new Tensor(newName, dataType, shape, parts, byteSize)
        : new Tensor(newName, dataType, shape, buffer());
  }

  /**
   * Rows {@code firstRow} to {@code firstRow + rowCount} (exclusive) along dimension 0, as a view
   * of this tensor's data: nothing is copied.
   *
   * <p>Cost: O(rank) and two small allocations. Unlike {@link #of}, the data is not validated again
   * (a row range of a valid fixed-size tensor is valid by construction), which is what makes
   * splitting a batch's outputs into hundreds of per-request tensors cheap.
   *
   * @throws IllegalArgumentException if the tensor has no dimension 0, its datatype is {@link
   *     DataType#BYTES} (whose rows can only be found by walking the length prefixes; use {@link
   *     #of}), or the range does not lie within dimension 0
   */
  public Tensor rows(long firstRow, long rowCount) {
    if (shape.length == 0 || !dataType.isFixedSize()) {
      throw new IllegalArgumentException(
          "tensor '"
              + name
              + "' of datatype "
              + dataType
              + " and shape "
              + Arrays.toString(shape)
              + " cannot be sliced by rows; it needs a fixed-size datatype and dimension 0");
    }
    long dim0 = shape[0];
    if (firstRow < 0 || rowCount < 0 || firstRow > dim0 - rowCount) {
      throw new IllegalArgumentException(
          "tensor '"
              + name
              + "' has "
              + dim0
              + " rows; cannot take "
              + rowCount
              + " rows from row "
              + firstRow);
    }
    if (firstRow == 0 && rowCount == dim0) {
      return this;
    }
    // dim0 > 0 here, and the data was checked against the shape, so the division is exact.
    ByteBuffer data = buffer();
    int rowBytes = (int) (data.remaining() / dim0);
    long[] ownShape = shape.clone();
    ownShape[0] = rowCount;
    ByteBuffer view =
        data.slice(data.position() + (int) (firstRow * rowBytes), (int) (rowCount * rowBytes))
            .order(ByteOrder.LITTLE_ENDIAN);
    return new Tensor(name, dataType, ownShape, view);
  }

  /** True if both tensors have the same shape apart from dimension 0. */
  public boolean sameInnerShape(Tensor other) {
    if (shape.length != other.shape.length) {
      return false;
    }
    for (int i = 1; i < shape.length; i++) {
      if (shape[i] != other.shape[i]) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "Tensor{"
        + name
        + ", "
        + dataType
        + Arrays.toString(shape)
        + ", "
        + byteSize()
        + " bytes}";
  }
}
