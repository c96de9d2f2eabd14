package io.ringserve.server.internal.backend.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import io.ringserve.batching.Tensor;
import io.ringserve.wire.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The input buffers a runner keeps between batches stay bounded and shrink when batches do. */
class InputConverterTest {
  private final InputConverter converter = new InputConverter(OrtEnvironment.getEnvironment(), 1);

  private static Tensor floats(int rows, float value) {
    ByteBuffer data = ByteBuffer.allocate(rows * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < rows; i++) {
      data.putFloat(value);
    }
    return Tensor.of("IN", DataType.FP32, new long[] {rows, 1}, data.flip());
  }

  private float[] convert(Tensor tensor) throws Exception {
    try (OnnxTensor onnx = converter.toOnnx(0, tensor)) {
      float[] out = new float[(int) tensor.elementCount()];
      onnx.getFloatBuffer().get(out);
      return out;
    }
  }

  @Test
  void shouldNotKeepABufferForABatchLargerThanTheCap() throws Exception {
    int rows = InputConverter.MAX_KEPT_BYTES / 4 + 1024;

    float[] out = convert(floats(rows, 2.5f));

    assertEquals(rows, out.length);
    assertEquals(2.5f, out[rows - 1]);
    assertEquals(0, converter.keptBytes(0), "a batch over the cap is not kept");
  }

  @Test
  void shouldShrinkAKeptBufferThatBatchesNoLongerFill() throws Exception {
    convert(floats(1 << 20, 1f)); // 4 MiB, kept
    assertEquals(4 << 20, converter.keptBytes(0));
    for (int i = 0; i < InputConverter.SHRINK_AFTER_BATCHES - 1; i++) {
      convert(floats(16, 1f));
    }
    assertEquals(4 << 20, converter.keptBytes(0), "kept while a large batch may come again");

    assertArrayEquals(new float[] {3f, 3f}, convert(floats(2, 3f)));

    assertTrue(converter.keptBytes(0) < 1024, "shrunk: " + converter.keptBytes(0));
  }

  @Test
  void shouldWriteABatchJoinedFromRequestsPartByPart() throws Exception {
    Tensor joined =
        Tensor.joined(
            "IN", DataType.FP32, new long[] {3, 1}, List.of(floats(2, 1f), floats(1, 7f)));

    assertArrayEquals(new float[] {1f, 1f, 7f}, convert(joined));
  }
}
