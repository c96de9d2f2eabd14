package io.ringserve.server.internal.backend.tensorflow;

import java.nio.ByteBuffer;
import org.bytedeco.javacpp.Pointer;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;
import org.tensorflow.ndarray.buffer.DataStorageVisitor;

/**
 * Bulk copies into the native memory of a TensorFlow tensor.
 *
 * <p>Why this exists: TensorFlow Java copies from a {@code java.nio.ByteBuffer} into tensor memory
 * one byte at a time (its NIO buffers cannot see a native address), and our request data is a
 * read-only {@code ByteBuffer} whose array is out of reach. So we ask the tensor's buffer for its
 * native address (the public {@link DataStorageVisitor} hands it out), wrap that range as a direct
 * {@code ByteBuffer} through JavaCPP (which TensorFlow Java is built on) and let the JDK copy with
 * one {@code memcpy}. If a buffer ever hides its address, we fall back to two bulk copies through a
 * heap array.
 *
 * <p>Stateless and thread-safe; each call touches only the buffers it is given.
 */
final class NativeMemory {
  private NativeMemory() {}

  /**
   * Copies all of {@code source} (position to limit) to the start of {@code target}.
   *
   * @throws IllegalArgumentException if the sizes differ
   */
  static void copy(ByteBuffer source, ByteDataBuffer target) {
    long size = source.remaining();
    if (target.size() != size) {
      throw new IllegalArgumentException(
          "cannot copy " + size + " bytes into a tensor of " + target.size() + " bytes");
    }
    if (size == 0) {
      return;
    }
    ByteBuffer view = nativeView(target);
    if (view != null) {
      view.put(source.duplicate());
    } else {
      byte[] bytes = new byte[(int) size];
      source.duplicate().get(bytes);
      target.write(bytes);
    }
  }

  /**
   * A direct {@code ByteBuffer} over the native memory of {@code buffer}, valid only while the
   * tensor that owns it is open; {@code null} if the buffer is not in native memory.
   */
  static ByteBuffer nativeView(ByteDataBuffer buffer) {
    return buffer.accept(new AddressVisitor(buffer.size()));
  }

  /** Finds the native range behind a buffer; {@code null} for buffers not in native memory. */
  private static final class AddressVisitor implements DataStorageVisitor<ByteBuffer> {
    private final long size;

    AddressVisitor(long size) {
      this.size = size;
    }

    /** Called with the address and byte length of a buffer in native memory. */
    @Override
    public ByteBuffer visit(long address, long byteLength, long scale) {
      if (address == 0 || byteLength < size || size > Integer.MAX_VALUE) {
        return null;
      }
      // JavaCPP sizes the buffer of a plain Pointer by a wider element than a byte: cut it to the
      // tensor's own bytes so no write through the view can pass the tensor's end.
      return new NativeRange(address, size).asByteBuffer().limit((int) size).slice();
    }

    @Override
    public ByteBuffer fallback() {
      return null;
    }
  }

  /** A JavaCPP pointer to memory owned by someone else: it never frees what it points to. */
  private static final class NativeRange extends Pointer {
    NativeRange(long address, long bytes) {
      this.address = address;
      this.position = 0;
      this.limit = bytes;
      this.capacity = bytes;
    }
  }
}
