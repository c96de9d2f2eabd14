package io.ringserve.loadtest.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import inference.GrpcService.InferTensorContents;
import inference.GrpcService.ModelInferRequest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class HttpBodiesTest {
  @Test
  void shouldFrameRawInputsAsTheBinaryExtensionWithBinaryOutputs() {
    ModelInferRequest request =
        ModelInferRequest.newBuilder()
            .addInputs(input("INPUT0", "INT32", 1, 2))
            .addInputs(input("INPUT1", "INT32", 1, 2))
            .addRawInputContents(ByteString.copyFrom(new byte[] {1, 0, 0, 0, 2, 0, 0, 0}))
            .addRawInputContents(ByteString.copyFrom(new byte[] {3, 0, 0, 0, 4, 0, 0, 0}))
            .build();

    HttpBodies.Body body = HttpBodies.encode(request);

    String header = new String(body.bytes(), 0, body.headerLength(), StandardCharsets.UTF_8);
    assertEquals(
        "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,2],\"datatype\":\"INT32\","
            + "\"parameters\":{\"binary_data_size\":8}},{\"name\":\"INPUT1\",\"shape\":[1,2],"
            + "\"datatype\":\"INT32\",\"parameters\":{\"binary_data_size\":8}}],"
            + "\"parameters\":{\"binary_data_output\":true}}",
        header);
    assertArrayEquals(
        new byte[] {1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0},
        Arrays.copyOfRange(body.bytes(), body.headerLength(), body.bytes().length));
  }

  @Test
  void shouldWriteTypedInputsAsJsonData() {
    ModelInferRequest request =
        ModelInferRequest.newBuilder()
            .addInputs(
                input("A", "FP32", 1, 2)
                    .setContents(
                        InferTensorContents.newBuilder().addFp32Contents(0.1f).addFp32Contents(2)))
            .addInputs(
                input("B", "UINT32", 1, 1)
                    .setContents(InferTensorContents.newBuilder().addUintContents(-1)))
            .addInputs(
                input("C", "BYTES", 1, 1)
                    .setContents(
                        InferTensorContents.newBuilder()
                            .addBytesContents(ByteString.copyFromUtf8("12"))))
            .build();

    HttpBodies.Body body = HttpBodies.encode(request);

    assertEquals(-1, body.headerLength());
    assertEquals(
        "{\"inputs\":[{\"name\":\"A\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[0.1,2.0]},"
            + "{\"name\":\"B\",\"shape\":[1,1],\"datatype\":\"UINT32\",\"data\":[4294967295]},"
            + "{\"name\":\"C\",\"shape\":[1,1],\"datatype\":\"BYTES\",\"data\":[\"12\"]}]}",
        new String(body.bytes(), StandardCharsets.UTF_8));
  }

  @Test
  void shouldRefuseHalfPrecisionInJson() {
    ModelInferRequest request =
        ModelInferRequest.newBuilder().addInputs(input("H", "FP16", 1, 1)).build();

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> HttpBodies.encode(request));
    assertEquals("FP16 has no JSON form; send it as binary data (--contents raw)", e.getMessage());
  }

  private static ModelInferRequest.InferInputTensor.Builder input(
      String name, String datatype, long... shape) {
    ModelInferRequest.InferInputTensor.Builder b =
        ModelInferRequest.InferInputTensor.newBuilder().setName(name).setDatatype(datatype);
    for (long d : shape) {
      b.addShape(d);
    }
    return b;
  }
}
