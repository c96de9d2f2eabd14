package io.ringserve.server.internal.backend.tensorflow;

import io.ringserve.batching.Tensor;
import io.ringserve.wire.BytesFraming;
import io.ringserve.wire.DataType;
import java.nio.ByteBuffer;
import org.tensorflow.RawTensor;
import org.tensorflow.ndarray.buffer.DataBuffer;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TString;

/**
 * Turns TensorFlow result tensors into our wire-layout tensors.
 *
 * <p>Cost: a fixed-size tensor is one heap allocation and one bulk copy out of native memory. A
 * BYTES tensor is read element by element (TensorFlow Java hands strings out only as {@code
 * byte[]}s) and then written once into the length-prefixed layout.
 *
 * <p>Stateless and thread-safe. The returned tensor owns its data; the TensorFlow tensor may be
 * closed right after.
 */
final class OutputConverter {
  private OutputConverter() {}

  /** Copies {@code result} into a new tensor called {@code name} of type {@code dataType}. */
  static Tensor fromTensorFlow(String name, DataType dataType, org.tensorflow.Tensor result) {
    long[] shape = result.shape().asArray();
    if (dataType == DataType.BYTES) {
      return Tensor.of(name, dataType, shape, strings(name, (TString) result));
    }
    RawTensor raw = result.asRawTensor();
    long size = raw.numBytes();
    if (size > Integer.MAX_VALUE) {
      throw new IllegalStateException(
          "output '" + name + "' has " + size + " bytes, more than a Java array holds");
    }
    byte[] bytes = new byte[(int) size];
    raw.data().read(bytes);
    return Tensor.of(name, dataType, shape, ByteBuffer.wrap(bytes));
  }

  private static ByteBuffer strings(String name, TString result) {
    long count = result.shape().size();
    DataBuffer<byte[]> elements = DataBuffers.ofObjects(byte[].class, count);
    result.asBytes().copyTo(elements);
    byte[][] framed = new byte[Math.toIntExact(count)][];
    for (int i = 0; i < framed.length; i++) {
      framed[i] = elements.getObject(i);
    }
    try {
      return BytesFraming.write(framed);
    } catch (IllegalArgumentException tooBig) {
      throw new IllegalStateException("output '" + name + "': " + tooBig.getMessage(), tooBig);
    }
  }
}
