package io.ringserve.server.internal.backend.tensorflow;

import io.ringserve.batching.Tensor;
import io.ringserve.wire.DataType;
import java.nio.ByteBuffer;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;
import org.tensorflow.ndarray.buffer.DataBuffer;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * Turns our wire-layout tensors into TensorFlow tensors.
 *
 * <p>Cost: a fixed-size tensor is one native allocation and one {@code memcpy} (see {@link
 * NativeMemory}), one per request for a batch's input joined from several, with no per-element
 * work. A BYTES tensor needs one {@code byte[]} per element, because TensorFlow Java builds string
 * tensors only from Java objects.
 *
 * <p>Stateless and thread-safe. The caller owns and must close the returned tensor.
 */
final class InputConverter {
  private InputConverter() {}

  /** Copies {@code tensor} into a new TensorFlow tensor of class {@code tensorClass}. */
  static org.tensorflow.Tensor toTensorFlow(Tensor tensor, Class<? extends TType> tensorClass) {
    Shape shape = Shape.of(tensor.shape());
    if (tensor.dataType() == DataType.BYTES) {
      return strings(tensor, shape);
    }
    TType target = org.tensorflow.Tensor.of(tensorClass, shape);
    try {
      ByteDataBuffer memory = target.asRawTensor().data();
      ByteBuffer view = NativeMemory.nativeView(memory);
      if (view != null && view.remaining() == tensor.byteSize()) {
        // A batch's input joined from its requests' inputs is written here part by part: the
        // only copy of a batch is this one, into TensorFlow's memory.
        tensor.copyTo(view);
      } else {
        NativeMemory.copy(tensor.data(), memory);
      }
      return target;
    } catch (RuntimeException e) {
      target.close();
      throw e;
    }
  }

  private static TString strings(Tensor tensor, Shape shape) {
    long count = tensor.elementCount();
    DataBuffer<byte[]> elements = DataBuffers.ofObjects(byte[].class, count);
    ByteBuffer data = tensor.data();
    for (long i = 0; i < count; i++) {
      byte[] element = new byte[data.getInt()];
      data.get(element);
      elements.setObject(element, i);
    }
    return TString.tensorOfBytes(shape, elements);
  }
}
