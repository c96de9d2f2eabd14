package io.ringserve.server.internal.backend.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.ringserve.batching.InferenceException;
import io.ringserve.batching.Tensor;
import io.ringserve.wire.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns our wire-layout tensors into ONNX Runtime tensors for one runner.
 *
 * <p>Cost: a fixed-size tensor whose data is already in native memory (a direct buffer) is handed
 * to ONNX Runtime as it is, with no copy; any other is copied once, with one bulk {@code memcpy},
 * into a direct buffer this converter keeps per input and reuses from batch to batch (it grows to
 * the largest batch seen and stays). No element is boxed or touched one by one. A BYTES tensor
 * needs one {@code String} per element, because ONNX Runtime Java builds string tensors only from
 * Java strings; its elements must therefore be valid UTF-8.
 *
 * <p>Not thread-safe: one per runner. A tensor made here views the reused buffer, so it must be
 * closed before the next call for the same input index.
 */
final class InputConverter {
  private final OrtEnvironment env;
  private final ByteBuffer[] buffers;

  InputConverter(OrtEnvironment env, int inputCount) {
    this.env = env;
    this.buffers = new ByteBuffer[inputCount];
  }

  /**
   * A new ONNX Runtime tensor holding {@code tensor}; the caller closes it.
   *
   * @param index the input's position in the model's inputs, which picks the reused buffer
   * @throws InferenceException if a BYTES element is not valid UTF-8
   */
  OnnxTensor toOnnx(int index, Tensor tensor) throws OrtException {
    long[] shape = tensor.shape();
    if (tensor.dataType() == DataType.BYTES) {
      return OnnxTensor.createTensor(env, strings(tensor), shape);
    }
    ByteBuffer data = tensor.data();
    if (!data.isDirect()) {
      data = copyToDirect(index, data);
    }
    return OnnxTensor.createTensor(
        env, data.order(ByteOrder.nativeOrder()), shape, OnnxTypes.toJavaType(tensor.dataType()));
  }

  private ByteBuffer copyToDirect(int index, ByteBuffer source) {
    int size = source.remaining();
    ByteBuffer buffer = buffers[index];
    if (buffer == null || buffer.capacity() < size) {
      buffer = ByteBuffer.allocateDirect(Math.max(size, 64)).order(ByteOrder.nativeOrder());
      buffers[index] = buffer;
    }
    buffer.clear();
    buffer.put(source);
    return buffer.flip();
  }

  private static String[] strings(Tensor tensor) {
    int count = Math.toIntExact(tensor.elementCount());
    String[] values = new String[count];
    ByteBuffer data = tensor.data();
    CharsetDecoder utf8 =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    for (int i = 0; i < count; i++) {
      int length = data.getInt();
      ByteBuffer element = data.slice().limit(length);
      data.position(data.position() + length);
      try {
        CharBuffer chars = utf8.decode(element);
        values[i] = chars.toString();
      } catch (CharacterCodingException e) {
        throw new InferenceException(
            InferenceException.Reason.INVALID_INPUT,
            "input '"
                + tensor.name()
                + "' element "
                + i
                + " is not valid UTF-8, which ONNX string tensors require");
      }
    }
    return values;
  }
}
