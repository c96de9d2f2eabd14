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
 * to ONNX Runtime as it is, with no copy; any other is copied once, with one bulk {@code memcpy}
 * per request of the batch, into a direct buffer this converter keeps per input and reuses from
 * batch to batch. The kept buffer is bounded so that one large batch does not pin native memory for
 * good: a batch larger than {@link #MAX_KEPT_BYTES} gets a buffer of its own, freed with its
 * tensor; and a kept buffer that the last {@link #SHRINK_AFTER_BATCHES} batches each used less than
 * a quarter of is replaced by one of the current size. No element is boxed or touched one by one. A
 * BYTES tensor needs one {@code String} per element, because ONNX Runtime Java builds string
 * tensors only from Java strings; its elements must therefore be valid UTF-8.
 *
 * <p>Not thread-safe: one per runner. A tensor made here views the reused buffer, so it must be
 * closed before the next call for the same input index.
 */
final class InputConverter {
  /** The largest input buffer kept from batch to batch, per input: 16 MiB. */
  static final int MAX_KEPT_BYTES = 16 << 20;

  /** Batches in a row that use less than a quarter of a kept buffer before it is shrunk. */
  static final int SHRINK_AFTER_BATCHES = 100;

  private final OrtEnvironment env;
  private final ByteBuffer[] buffers;
  private final int[] smallBatches;

  InputConverter(OrtEnvironment env, int inputCount) {
    this.env = env;
    this.buffers = new ByteBuffer[inputCount];
    this.smallBatches = new int[inputCount];
  }

  /** Bytes of native memory kept for input {@code index} between batches (for tests). */
  int keptBytes(int index) {
    return buffers[index] == null ? 0 : buffers[index].capacity();
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
    ByteBuffer data = tensor.isDirect() ? tensor.data() : copyToDirect(index, tensor);
    return OnnxTensor.createTensor(
        env, data.order(ByteOrder.nativeOrder()), shape, OnnxTypes.toJavaType(tensor.dataType()));
  }

  private ByteBuffer copyToDirect(int index, Tensor source) {
    int size = source.byteSize();
    ByteBuffer buffer;
    if (size > MAX_KEPT_BYTES) {
      // Referenced only by the tensor made from it: freed once that is closed and collected.
      buffer = ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
    } else {
      buffer = buffers[index];
      smallBatches[index] =
          buffer != null && size < buffer.capacity() / 4 ? smallBatches[index] + 1 : 0;
      if (buffer == null
          || buffer.capacity() < size
          || smallBatches[index] >= SHRINK_AFTER_BATCHES) {
        buffer = ByteBuffer.allocateDirect(Math.max(size, 64)).order(ByteOrder.nativeOrder());
        buffers[index] = buffer;
        smallBatches[index] = 0;
      }
      buffer.clear();
    }
    source.copyTo(buffer);
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
