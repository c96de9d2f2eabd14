package io.ringserve.server.internal.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import inference.GrpcService.ModelInferResponse;
import io.ringserve.batching.Tensor;
import io.ringserve.wire.DataType;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The encoder reuses the output descriptors a thread built last: each response must still describe
 * its own outputs, whatever was encoded before.
 */
class InferResponseEncoderTest {
  @Test
  void shouldDescribeEachResponsesOwnShapesAndTypesAcrossReuse() {
    ModelInferResponse one = encode(tensor("OUT", DataType.INT32, 1, 4));
    ModelInferResponse three = encode(tensor("OUT", DataType.INT32, 3, 4));
    ModelInferResponse float32 = encode(tensor("OUT", DataType.FP32, 3, 4));
    ModelInferResponse renamed = encode(tensor("OTHER", DataType.FP32, 3, 4));
    ModelInferResponse oneAgain = encode(tensor("OUT", DataType.INT32, 1, 4));

    assertEquals(List.of(1L, 4L), one.getOutputs(0).getShapeList());
    assertEquals(List.of(3L, 4L), three.getOutputs(0).getShapeList());
    assertEquals("INT32", three.getOutputs(0).getDatatype());
    assertEquals("FP32", float32.getOutputs(0).getDatatype());
    assertEquals("OTHER", renamed.getOutputs(0).getName());
    assertEquals(one.getOutputs(0), oneAgain.getOutputs(0));
    assertEquals(16, oneAgain.getRawOutputContents(0).size());
  }

  @Test
  void shouldReuseTheDescriptorOfARepeatedOutput() {
    ModelInferResponse first = encode(tensor("REPEATED", DataType.INT32, 2, 4));
    ModelInferResponse second = encode(tensor("REPEATED", DataType.INT32, 2, 4));

    assertSame(first.getOutputs(0), second.getOutputs(0));
  }

  @Test
  void shouldKeepEveryOutputOfAModelWithMoreOutputsThanDescriptorsKept() {
    Tensor[] outputs = new Tensor[40];
    for (int i = 0; i < outputs.length; i++) {
      outputs[i] = tensor("OUT" + i, DataType.INT32, 1, i + 1);
    }
    for (int round = 0; round < 2; round++) {
      ModelInferResponse response = InferResponseEncoder.encode("m", "1", "id", List.of(outputs));
      for (int i = 0; i < outputs.length; i++) {
        assertEquals("OUT" + i, response.getOutputs(i).getName());
        assertEquals(List.of(1L, (long) i + 1), response.getOutputs(i).getShapeList());
      }
    }
  }

  private static ModelInferResponse encode(Tensor output) {
    return InferResponseEncoder.encode("model", "1", "request", List.of(output));
  }

  private static Tensor tensor(String name, DataType type, int rows, int columns) {
    return Tensor.of(
        name,
        type,
        new long[] {rows, columns},
        ByteBuffer.allocate(rows * columns * type.byteSize()));
  }
}
