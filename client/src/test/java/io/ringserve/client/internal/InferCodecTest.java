package io.ringserve.client.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import inference.GrpcService.InferTensorContents;
import inference.GrpcService.ModelInferResponse;
import io.ringserve.client.InferResult;
import org.junit.jupiter.api.Test;

class InferCodecTest {
  @Test
  void shouldDecodeTypedOutputs() {
    ModelInferResponse response =
        ModelInferResponse.newBuilder()
            .addOutputs(
                ModelInferResponse.InferOutputTensor.newBuilder()
                    .setName("y")
                    .setDatatype("INT64")
                    .addShape(2)
                    .setContents(
                        InferTensorContents.newBuilder().addInt64Contents(5).addInt64Contents(-6)))
            .addOutputs(
                ModelInferResponse.InferOutputTensor.newBuilder()
                    .setName("u")
                    .setDatatype("UINT8")
                    .addShape(1)
                    .setContents(InferTensorContents.newBuilder().addUintContents(200)))
            .build();
    InferResult result = InferResult.of(response);
    assertArrayEquals(new long[] {5, -6}, result.output("y").asLongs());
    assertArrayEquals(new int[] {200}, result.output("u").asInts());
  }

  @Test
  void shouldRejectRawOutputsNotMatchingTheirShape() {
    ModelInferResponse response =
        ModelInferResponse.newBuilder()
            .addOutputs(
                ModelInferResponse.InferOutputTensor.newBuilder()
                    .setName("y")
                    .setDatatype("FP32")
                    .addShape(3))
            .addRawOutputContents(ByteString.copyFrom(new byte[8]))
            .build();
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> InferResult.of(response));
    assertTrue(e.getMessage().contains("y"), e.getMessage());
  }
}
