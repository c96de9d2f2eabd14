package io.ringserve.server.internal.backend.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import io.ringserve.batching.Tensor;
import io.ringserve.wire.BytesFraming;
import io.ringserve.wire.DataType;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns ONNX Runtime result tensors into our wire-layout tensors.
 *
 * <p>Cost: a fixed-size tensor is one heap allocation and one bulk copy out of native memory
 * ({@link OnnxTensor#getByteBuffer()}). A BYTES tensor is read as Java strings (ONNX Runtime Java
 * hands strings out only that way) and then written once into the length-prefixed layout.
 *
 * <p>Stateless and thread-safe. The returned tensor owns its data; the ONNX Runtime tensor may be
 * closed right after.
 */
final class OutputConverter {
  private OutputConverter() {}

  /** Copies {@code result} into a new tensor called {@code name} of type {@code dataType}. */
  static Tensor fromOnnx(String name, DataType dataType, OnnxTensor result) throws OrtException {
    long[] shape = result.getInfo().getShape();
    if (dataType == DataType.BYTES) {
      return Tensor.of(name, dataType, shape, strings(result.getValue()));
    }
    return Tensor.of(name, dataType, shape, result.getByteBuffer());
  }

  private static ByteBuffer strings(Object value) {
    List<String> flat = new ArrayList<>();
    flatten(value, flat);
    byte[][] elements = new byte[flat.size()][];
    for (int i = 0; i < elements.length; i++) {
      elements[i] = flat.get(i).getBytes(StandardCharsets.UTF_8);
    }
    return BytesFraming.write(elements);
  }

  /** A string tensor comes back as a String (scalar) or nested String arrays, row-major. */
  private static void flatten(Object value, List<String> into) {
    if (value instanceof String string) {
      into.add(string);
    } else if (value instanceof String[] strings) {
      into.addAll(List.of(strings));
    } else {
      int length = Array.getLength(value);
      for (int i = 0; i < length; i++) {
        flatten(Array.get(value, i), into);
      }
    }
  }
}
