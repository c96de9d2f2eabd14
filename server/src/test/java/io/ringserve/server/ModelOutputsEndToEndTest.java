package io.ringserve.server;

import static io.ringserve.server.WireTensors.floats;
import static io.ringserve.server.WireTensors.input;
import static io.ringserve.server.WireTensors.readFloats;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferResponse;
import io.ringserve.server.internal.backend.tensorflow.TestSavedModels;
import io.ringserve.server.internal.examples.MlpReference;
import io.ringserve.server.internal.examples.MlpWeights;
import io.ringserve.server.internal.examples.OnnxModelWriter;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import io.ringserve.wire.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.family.TType;

/**
 * Results through the whole server: {@code mlp} and its ONNX Runtime twin {@code mlp_onnx} agree
 * with a plain-Java reference of the same weights and with each other, and half-precision tensors
 * travel raw, bit for bit, through both backends.
 */
class ModelOutputsEndToEndTest {
  @TempDir static Path halfRepository;
  private static TestServer halfServer;

  @BeforeAll
  static void startHalfPrecisionServer() throws IOException {
    Map<String, Class<? extends TType>> types = new LinkedHashMap<>();
    types.put("FP16", TFloat16.class);
    types.put("BF16", TBfloat16.class);
    Path version = halfRepository.resolve("halves").resolve("1");
    Files.createDirectories(version);
    // No config.pbtxt: the server completes it from the SavedModel's signature.
    TestSavedModels.identities(version.resolve("model.savedmodel"), types);
    // The same identities as an ONNX model, also without config.pbtxt.
    Path onnxVersion = Files.createDirectories(halfRepository.resolve("halves_onnx").resolve("1"));
    OnnxModelWriter onnx = new OnnxModelWriter("halves");
    for (String type : types.keySet()) {
      DataType dataType = DataType.valueOf(type);
      onnx.input("IN_" + type, dataType, -1, 3)
          .output("OUT_" + type, dataType, -1, 3)
          .node("Identity", List.of("IN_" + type), List.of("OUT_" + type));
    }
    onnx.writeTo(onnxVersion.resolve("model.onnx"));
    halfServer = TestServers.loopback(halfRepository);
  }

  @AfterAll
  static void stopHalfPrecisionServer() throws InterruptedException {
    halfServer.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"mlp", "mlp_onnx"})
  void shouldMatchThePlainJavaReferenceAtBatch1And128(String model) {
    MlpReference reference = new MlpReference(MlpWeights.generate(MlpWeights.DEFAULT_SEED));
    SplittableRandom random = new SplittableRandom(42);
    for (int batch : new int[] {1, 128}) {
      float[] x = new float[batch * 784];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) random.nextDouble();
      }
      ModelInferResponse response =
          TestServers.shared()
              .stub()
              .modelInfer(
                  ModelInferRequest.newBuilder()
                      .setModelName(model)
                      .addInputs(input("INPUT0", "FP32", batch, 784))
                      .addRawInputContents(floats(x))
                      .build());
      assertEquals(List.of((long) batch, 10L), response.getOutputs(0).getShapeList());
      float[] y = readFloats(response.getRawOutputContents(0));
      double maxError = 0;
      for (int row = 0; row < batch; row++) {
        float[] rowInput = java.util.Arrays.copyOfRange(x, row * 784, (row + 1) * 784);
        double[] expected = reference.apply(rowInput);
        for (int k = 0; k < 10; k++) {
          maxError = Math.max(maxError, Math.abs(expected[k] - y[row * 10 + k]));
        }
      }
      assertEquals(0, maxError, 1e-5, "batch " + batch);
    }
  }

  @Test
  void shouldGiveTheSameOutputsFromMlpAndMlpOnnx() {
    SplittableRandom random = new SplittableRandom(43);
    for (int batch : new int[] {1, 7, 64}) {
      float[] x = new float[batch * 784];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) random.nextDouble();
      }
      float[] tensorFlow = mlpOutputs("mlp", batch, x);
      float[] onnx = mlpOutputs("mlp_onnx", batch, x);
      assertEquals(batch * 10, onnx.length);
      double maxError = 0;
      for (int i = 0; i < onnx.length; i++) {
        maxError = Math.max(maxError, Math.abs(tensorFlow[i] - onnx[i]));
      }
      assertEquals(0, maxError, 1e-5, "batch " + batch);
    }
  }

  private static float[] mlpOutputs(String model, int batch, float[] x) {
    ModelInferResponse response =
        TestServers.shared()
            .stub()
            .modelInfer(
                ModelInferRequest.newBuilder()
                    .setModelName(model)
                    .addInputs(input("INPUT0", "FP32", batch, 784))
                    .addRawInputContents(floats(x))
                    .build());
    return readFloats(response.getRawOutputContents(0));
  }

  @ParameterizedTest
  @ValueSource(strings = {"halves", "halves_onnx"})
  void shouldCarryFp16AndBf16RawBitForBit(String model) {
    byte[] fp16 = new byte[2 * 3 * 2];
    byte[] bf16 = new byte[2 * 3 * 2];
    new SplittableRandom(7).nextBytes(fp16);
    new SplittableRandom(8).nextBytes(bf16);
    ModelInferResponse response =
        halfServer
            .stub()
            .modelInfer(
                ModelInferRequest.newBuilder()
                    .setModelName(model)
                    .addInputs(input("IN_FP16", "FP16", 2, 3))
                    .addInputs(input("IN_BF16", "BF16", 2, 3))
                    .addRawInputContents(ByteString.copyFrom(fp16))
                    .addRawInputContents(ByteString.copyFrom(bf16))
                    .build());
    assertEquals("FP16", outputTensor(response, "OUT_FP16").getDatatype());
    assertEquals("BF16", outputTensor(response, "OUT_BF16").getDatatype());
    assertEquals(ByteString.copyFrom(fp16), WireTensors.output(response, "OUT_FP16"));
    assertEquals(ByteString.copyFrom(bf16), WireTensors.output(response, "OUT_BF16"));
  }

  private static ModelInferResponse.InferOutputTensor outputTensor(
      ModelInferResponse r, String name) {
    return r.getOutputsList().stream()
        .filter(o -> o.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }
}
