package io.ringserve.server;

import static io.ringserve.server.WireTensors.input;
import static io.ringserve.server.WireTensors.output;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import inference.GrpcService.InferTensorContents;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferResponse;
import inference.GrpcService.ModelMetadataRequest;
import inference.GrpcService.ModelMetadataResponse;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import io.ringserve.wire.BytesFraming;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Triton's QA models {@code simple_identity} and {@code simple_int8}, called the way Triton's
 * example clients call them ({@code simple_http_string_infer_client.py} and the INT8 variants of
 * the {@code simple} clients), against a real server serving the bundled examples.
 */
class TritonQaModelsEndToEndTest {
  private static TestServer server;

  @BeforeAll
  static void startServer() {
    server = TestServers.shared();
  }

  @Test
  void shouldDescribeBothModelsAsTritonsQaRepositoryDoes() {
    ModelMetadataResponse identity =
        server
            .stub()
            .modelMetadata(ModelMetadataRequest.newBuilder().setName("simple_identity").build());
    assertEquals("BYTES", identity.getInputs(0).getDatatype());
    assertEquals(List.of(-1L, -1L), identity.getInputs(0).getShapeList());
    assertEquals("OUTPUT0", identity.getOutputs(0).getName());

    ModelMetadataResponse int8 =
        server
            .stub()
            .modelMetadata(ModelMetadataRequest.newBuilder().setName("simple_int8").build());
    assertEquals("onnxruntime_onnx", int8.getPlatform());
    assertEquals("INT8", int8.getInputs(0).getDatatype());
    assertEquals(List.of(-1L, 16L), int8.getInputs(1).getShapeList());
    assertEquals("INT8", int8.getOutputs(1).getDatatype());
  }

  @Test
  void shouldReturnBytesElementsUnchangedIncludingNulBytes() {
    // What simple_http_string_infer_client.py sends: 16 x "he\0llo", then 16 x 00 01 02 03.
    for (byte[] element :
        List.of("he\0llo".getBytes(StandardCharsets.UTF_8), new byte[] {0, 1, 2, 3})) {
      byte[][] elements = new byte[16][];
      java.util.Arrays.fill(elements, element);
      ModelInferResponse response =
          server
              .stub()
              .modelInfer(
                  ModelInferRequest.newBuilder()
                      .setModelName("simple_identity")
                      .addInputs(input("INPUT0", "BYTES", 1, 16))
                      .addRawInputContents(ByteString.copyFrom(BytesFraming.write(elements)))
                      .build());
      assertEquals(List.of(1L, 16L), response.getOutputs(0).getShapeList());
      assertEquals("BYTES", response.getOutputs(0).getDatatype());
      byte[][] returned = readBytes(output(response, "OUTPUT0"));
      assertEquals(16, returned.length);
      for (byte[] got : returned) {
        assertArrayEquals(element, got);
      }
    }
  }

  @Test
  void shouldReturnAnyRowLengthAndTypedBytesContents() {
    // Triton's shape-validation test reshapes 16 elements to [2, 8]; the typed form arrives as
    // bytes_contents, and elements of different lengths (the empty one included) keep their own.
    InferTensorContents.Builder contents = InferTensorContents.newBuilder();
    for (int i = 0; i < 16; i++) {
      contents.addBytesContents(ByteString.copyFrom(new byte[i % 4]));
    }
    ModelInferResponse response =
        server
            .stub()
            .modelInfer(
                ModelInferRequest.newBuilder()
                    .setModelName("simple_identity")
                    .addInputs(input("INPUT0", "BYTES", 2, 8).setContents(contents))
                    .build());
    assertEquals(List.of(2L, 8L), response.getOutputs(0).getShapeList());
    byte[][] returned = readBytes(output(response, "OUTPUT0"));
    for (int i = 0; i < 16; i++) {
      assertArrayEquals(new byte[i % 4], returned[i], "element " + i);
    }
  }

  @Test
  void shouldAddAndSubtractInt8WithWrapAround() {
    byte[] in0 = new byte[32];
    byte[] in1 = new byte[32];
    for (int i = 0; i < 32; i++) {
      in0[i] = (byte) (i * 9 - 100);
      in1[i] = (byte) (i % 3 == 0 ? 127 : -i);
    }
    ModelInferResponse response =
        server
            .stub()
            .modelInfer(
                ModelInferRequest.newBuilder()
                    .setModelName("simple_int8")
                    .addInputs(input("INPUT0", "INT8", 2, 16))
                    .addInputs(input("INPUT1", "INT8", 2, 16))
                    .addRawInputContents(ByteString.copyFrom(in0))
                    .addRawInputContents(ByteString.copyFrom(in1))
                    .build());
    assertEquals("INT8", response.getOutputs(0).getDatatype());
    assertEquals(List.of(2L, 16L), response.getOutputs(0).getShapeList());
    byte[] sum = output(response, "OUTPUT0").toByteArray();
    byte[] difference = output(response, "OUTPUT1").toByteArray();
    for (int i = 0; i < 32; i++) {
      assertEquals((byte) (in0[i] + in1[i]), sum[i], "sum " + i);
      assertEquals((byte) (in0[i] - in1[i]), difference[i], "difference " + i);
    }
  }

  @Test
  void shouldAcceptInt8AsTypedIntContents() {
    // The typed form of INT8 is int_contents, one int per element, as Triton's gRPC clients send.
    InferTensorContents.Builder in0 = InferTensorContents.newBuilder();
    InferTensorContents.Builder in1 = InferTensorContents.newBuilder();
    for (int i = 0; i < 16; i++) {
      in0.addIntContents(i);
      in1.addIntContents(1);
    }
    ModelInferResponse response =
        server
            .stub()
            .modelInfer(
                ModelInferRequest.newBuilder()
                    .setModelName("simple_int8")
                    .addInputs(input("INPUT0", "INT8", 1, 16).setContents(in0))
                    .addInputs(input("INPUT1", "INT8", 1, 16).setContents(in1))
                    .build());
    byte[] sum = output(response, "OUTPUT0").toByteArray();
    for (int i = 0; i < 16; i++) {
      assertEquals(i + 1, sum[i]);
    }
  }

  private static byte[][] readBytes(ByteString raw) {
    ByteBuffer data = raw.asReadOnlyByteBuffer();
    ByteBuffer[] elements = BytesFraming.elements("raw", data, BytesFraming.count("raw", data));
    byte[][] out = new byte[elements.length][];
    for (int i = 0; i < out.length; i++) {
      out[i] = new byte[elements[i].remaining()];
      elements[i].get(out[i]);
    }
    return out;
  }
}
