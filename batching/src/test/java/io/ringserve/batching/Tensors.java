package io.ringserve.batching;

import io.ringserve.wire.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Builds small tensors for tests and reads them back. */
final class Tensors {
  private Tensors() {}

  /**
   * An INT32 tensor of shape [rows, cols] whose element (r, c) is {@code id * 1000 + r * 10 + c}.
   */
  static Tensor encoded(String name, int id, int rows, int cols) {
    ByteBuffer data = ByteBuffer.allocate(rows * cols * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        data.putInt(id * 1000 + r * 10 + c);
      }
    }
    data.flip();
    return Tensor.of(name, DataType.INT32, new long[] {rows, cols}, data);
  }

  /** True if {@code tensor} is exactly {@link #encoded}{@code (any name, id, rows, cols)}. */
  static boolean isEncoded(Tensor tensor, int id, int rows, int cols) {
    if (tensor.dataType() != DataType.INT32
        || tensor.rank() != 2
        || tensor.dim(0) != rows
        || tensor.dim(1) != cols
        || tensor.byteSize() != rows * cols * 4) {
      return false;
    }
    ByteBuffer data = tensor.data();
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        if (data.getInt() != id * 1000 + r * 10 + c) {
          return false;
        }
      }
    }
    return true;
  }

  /** The id encoded in the first element of an {@link #encoded} tensor. */
  static int idOf(Tensor tensor) {
    return tensor.data().getInt(0) / 1000;
  }

  /** A BYTES tensor of shape [strings.length]. */
  static Tensor strings(String name, String... strings) {
    int bytes = 0;
    for (String s : strings) {
      bytes += 4 + s.getBytes(StandardCharsets.UTF_8).length;
    }
    ByteBuffer data = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (String s : strings) {
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      data.putInt(utf8.length).put(utf8);
    }
    data.flip();
    return Tensor.of(name, DataType.BYTES, new long[] {strings.length}, data);
  }

  /** The elements of a BYTES tensor as strings. */
  static List<String> stringsOf(Tensor tensor) {
    ByteBuffer data = tensor.data();
    List<String> out = new ArrayList<>();
    while (data.hasRemaining()) {
      byte[] utf8 = new byte[data.getInt()];
      data.get(utf8);
      out.add(new String(utf8, StandardCharsets.UTF_8));
    }
    return out;
  }
}
