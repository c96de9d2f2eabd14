package io.ringserve.server;

import static io.ringserve.server.WireTensors.floats;
import static io.ringserve.server.WireTensors.input;
import static io.ringserve.server.WireTensors.output;
import static io.ringserve.server.WireTensors.readInt32s;
import static io.ringserve.server.WireTensors.readStrings;
import static io.ringserve.server.WireTensors.simpleRequest;
import static io.ringserve.server.WireTensors.strings;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inference.GrpcService.InferTensorContents;
import inference.GrpcService.ModelConfigRequest;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferResponse;
import inference.GrpcService.ModelMetadataRequest;
import inference.GrpcService.ModelMetadataResponse;
import inference.GrpcService.ModelReadyRequest;
import inference.GrpcService.RepositoryIndexRequest;
import inference.GrpcService.RepositoryIndexResponse;
import inference.GrpcService.ServerLiveRequest;
import inference.GrpcService.ServerMetadataRequest;
import inference.GrpcService.ServerMetadataResponse;
import inference.GrpcService.ServerReadyRequest;
import inference.ModelConfigOuterClass.DataType;
import inference.ModelConfigOuterClass.ModelConfig;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The KServe v2 protocol against a real server on 127.0.0.1 serving the bundled examples: health,
 * reflection, metadata, config, repository index and inference in every content form. Tests that
 * exercise a model run on the TensorFlow example and on its ONNX Runtime twin ({@code simple} and
 * {@code simple_onnx}, {@code mlp} and {@code mlp_onnx}).
 */
class ProtocolEndToEndTest {
  private static TestServer server;

  @BeforeAll
  static void startServer() {
    server = TestServers.shared();
  }

  @Test
  void shouldReportLiveReadyAndServingHealth() {
    assertTrue(server.stub().serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
    assertTrue(server.stub().serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
    for (String model : List.of("simple", "simple_string", "mlp", "simple_onnx", "mlp_onnx")) {
      assertTrue(
          server
              .stub()
              .modelReady(ModelReadyRequest.newBuilder().setName(model).build())
              .getReady(),
          model);
    }
    assertFalse(
        server
            .stub()
            .modelReady(ModelReadyRequest.newBuilder().setName("nope").build())
            .getReady());
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(server.channel());
    assertEquals(
        HealthCheckResponse.ServingStatus.SERVING,
        health.check(HealthCheckRequest.newBuilder().setService("").build()).getStatus());
    assertEquals(
        HealthCheckResponse.ServingStatus.SERVING,
        health
            .check(
                HealthCheckRequest.newBuilder()
                    .setService("inference.GRPCInferenceService")
                    .build())
            .getStatus());
  }

  @Test
  void shouldListServicesAndResolveModelInferThroughReflection() throws Exception {
    ServerReflectionResponse services =
        reflect(ServerReflectionRequest.newBuilder().setListServices("").build());
    List<String> names =
        services.getListServicesResponse().getServiceList().stream().map(s -> s.getName()).toList();
    assertTrue(names.contains("inference.GRPCInferenceService"), names.toString());
    assertTrue(names.contains("grpc.health.v1.Health"), names.toString());

    ServerReflectionResponse file =
        reflect(
            ServerReflectionRequest.newBuilder()
                .setFileContainingSymbol("inference.GRPCInferenceService.ModelInfer")
                .build());
    assertTrue(file.hasFileDescriptorResponse(), file.toString());
    com.google.protobuf.DescriptorProtos.FileDescriptorProto proto =
        com.google.protobuf.DescriptorProtos.FileDescriptorProto.parseFrom(
            file.getFileDescriptorResponse().getFileDescriptorProto(0));
    assertEquals("inference", proto.getPackage());
    assertTrue(
        proto.getServiceList().stream()
            .anyMatch(
                s ->
                    s.getName().equals("GRPCInferenceService")
                        && s.getMethodList().stream()
                            .anyMatch(m -> m.getName().equals("ModelInfer"))));
  }

  private static ServerReflectionResponse reflect(ServerReflectionRequest request)
      throws Exception {
    CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(server.channel())
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse value) {
                    answer.complete(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    answer.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    requests.onNext(request);
    requests.onCompleted();
    return answer.get(10, TimeUnit.SECONDS);
  }

  @ParameterizedTest(name = "{0} and {1} on {2}")
  @CsvSource({"simple, mlp, tensorflow_savedmodel", "simple_onnx, mlp_onnx, onnxruntime_onnx"})
  void shouldDescribeServerAndModels(String simpleModel, String mlpModel, String platform) {
    ServerMetadataResponse metadata =
        server.stub().serverMetadata(ServerMetadataRequest.getDefaultInstance());
    assertEquals("ringserve", metadata.getName());
    assertFalse(metadata.getVersion().isEmpty());

    ModelMetadataResponse simple =
        server.stub().modelMetadata(ModelMetadataRequest.newBuilder().setName(simpleModel).build());
    assertEquals(simpleModel, simple.getName());
    assertEquals(platform, simple.getPlatform());
    assertEquals(List.of("1"), simple.getVersionsList());
    assertEquals(
        List.of("INPUT0", "INPUT1"),
        simple.getInputsList().stream().map(t -> t.getName()).toList());
    assertEquals("INT32", simple.getInputs(0).getDatatype());
    assertEquals(List.of(-1L, 16L), simple.getInputs(0).getShapeList());
    assertEquals(
        List.of("OUTPUT0", "OUTPUT1"),
        simple.getOutputsList().stream().map(t -> t.getName()).toList());

    ModelMetadataResponse mlp =
        server
            .stub()
            .modelMetadata(
                ModelMetadataRequest.newBuilder().setName(mlpModel).setVersion("1").build());
    assertEquals(platform, mlp.getPlatform());
    assertEquals(List.of(-1L, 784L), mlp.getInputs(0).getShapeList());
    assertEquals(List.of(-1L, 10L), mlp.getOutputs(0).getShapeList());
    assertEquals("FP32", mlp.getOutputs(0).getDatatype());
  }

  @ParameterizedTest(name = "{0} on {1}")
  @CsvSource({"mlp, tensorflow_savedmodel", "mlp_onnx, onnxruntime_onnx"})
  void shouldReturnTheEffectiveConfig(String model, String platform) {
    ModelConfig mlp =
        server
            .stub()
            .modelConfig(ModelConfigRequest.newBuilder().setName(model).build())
            .getConfig();
    assertEquals(model, mlp.getName());
    assertEquals(platform, mlp.getPlatform());
    assertEquals(128, mlp.getMaxBatchSize());
    assertTrue(mlp.hasDynamicBatching());
    assertEquals(DataType.TYPE_FP32, mlp.getInput(0).getDataType());
    assertEquals(List.of(784L), mlp.getInput(0).getDimsList());
    assertEquals(1, mlp.getInstanceGroup(0).getCount());
  }

  @Test
  void shouldReturnTheEffectiveConfigOfStringTensors() {
    ModelConfig strings =
        server
            .stub()
            .modelConfig(ModelConfigRequest.newBuilder().setName("simple_string").build())
            .getConfig();
    assertEquals(DataType.TYPE_STRING, strings.getInput(0).getDataType());
  }

  @Test
  void shouldIndexTheRepositoryWithStates() {
    RepositoryIndexResponse index =
        server.stub().repositoryIndex(RepositoryIndexRequest.newBuilder().setReady(true).build());
    List<String> names = index.getModelsList().stream().map(m -> m.getName()).toList();
    assertTrue(
        names.containsAll(List.of("mlp", "simple", "simple_string", "mlp_onnx", "simple_onnx")),
        names.toString());
    index.getModelsList().forEach(m -> assertEquals("READY", m.getState(), m.toString()));
    index.getModelsList().forEach(m -> assertEquals("1", m.getVersion(), m.toString()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"simple", "simple_onnx"})
  void shouldInferWithRawContents(String model) {
    ModelInferResponse response =
        server.stub().modelInfer(simpleRequest().setModelName(model).setId("raw-1").build());
    assertEquals(model, response.getModelName());
    assertEquals("1", response.getModelVersion());
    assertEquals("raw-1", response.getId());
    assertEquals(List.of(1L, 16L), response.getOutputs(0).getShapeList());
    assertEquals("INT32", response.getOutputs(0).getDatatype());
    int[] sum = readInt32s(output(response, "OUTPUT0"));
    int[] diff = readInt32s(output(response, "OUTPUT1"));
    for (int i = 0; i < 16; i++) {
      assertEquals(i + 1, sum[i]);
      assertEquals(i - 1, diff[i]);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"simple", "simple_onnx"})
  void shouldInferWithTypedContentsAndAnswerRaw(String model) {
    InferTensorContents.Builder in0 = InferTensorContents.newBuilder();
    InferTensorContents.Builder in1 = InferTensorContents.newBuilder();
    for (int i = 0; i < 32; i++) {
      in0.addIntContents(i * 3);
      in1.addIntContents(-i);
    }
    ModelInferRequest request =
        ModelInferRequest.newBuilder()
            .setModelName(model)
            .addInputs(input("INPUT0", "INT32", 2, 16).setContents(in0))
            .addInputs(input("INPUT1", "INT32", 2, 16).setContents(in1))
            .build();
    ModelInferResponse response = server.stub().modelInfer(request);
    assertEquals(2, response.getRawOutputContentsCount());
    assertEquals(List.of(2L, 16L), response.getOutputs(0).getShapeList());
    int[] sum = readInt32s(output(response, "OUTPUT0"));
    int[] diff = readInt32s(output(response, "OUTPUT1"));
    for (int i = 0; i < 32; i++) {
      assertEquals(i * 2, sum[i]);
      assertEquals(i * 4, diff[i]);
    }
  }

  @Test
  void shouldInferBytesTensorsRawAndTyped() {
    String[] a = new String[16];
    String[] b = new String[16];
    for (int i = 0; i < 16; i++) {
      a[i] = Integer.toString(i * 10);
      b[i] = Integer.toString(i);
    }
    ModelInferRequest raw =
        ModelInferRequest.newBuilder()
            .setModelName("simple_string")
            .addInputs(input("INPUT0", "BYTES", 1, 16))
            .addInputs(input("INPUT1", "BYTES", 1, 16))
            .addRawInputContents(strings(a))
            .addRawInputContents(strings(b))
            .build();
    ModelInferResponse response = server.stub().modelInfer(raw);
    assertEquals("BYTES", response.getOutputs(0).getDatatype());
    String[] sum = readStrings(output(response, "OUTPUT0"));
    String[] diff = readStrings(output(response, "OUTPUT1"));
    for (int i = 0; i < 16; i++) {
      assertEquals(Integer.toString(i * 11), sum[i]);
      assertEquals(Integer.toString(i * 9), diff[i]);
    }

    InferTensorContents.Builder typedA = InferTensorContents.newBuilder();
    InferTensorContents.Builder typedB = InferTensorContents.newBuilder();
    for (int i = 0; i < 16; i++) {
      typedA.addBytesContents(com.google.protobuf.ByteString.copyFromUtf8(a[i]));
      typedB.addBytesContents(com.google.protobuf.ByteString.copyFromUtf8(b[i]));
    }
    ModelInferRequest typed =
        ModelInferRequest.newBuilder()
            .setModelName("simple_string")
            .addInputs(input("INPUT0", "BYTES", 1, 16).setContents(typedA))
            .addInputs(input("INPUT1", "BYTES", 1, 16).setContents(typedB))
            .build();
    assertArrayEquals(sum, readStrings(output(server.stub().modelInfer(typed), "OUTPUT0")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"simple", "simple_onnx"})
  void shouldReturnOnlyTheRequestedOutputs(String model) {
    ModelInferResponse response =
        server
            .stub()
            .modelInfer(
                simpleRequest()
                    .setModelName(model)
                    .addOutputs(
                        ModelInferRequest.InferRequestedOutputTensor.newBuilder()
                            .setName("OUTPUT1"))
                    .build());
    assertEquals(1, response.getOutputsCount());
    assertEquals("OUTPUT1", response.getOutputs(0).getName());
    assertEquals(1, response.getRawOutputContentsCount());
    assertEquals(-1, readInt32s(response.getRawOutputContents(0))[0]);
  }

  @ParameterizedTest
  @ValueSource(strings = {"mlp", "mlp_onnx"})
  void shouldRunMlpOnTypedFloatContents(String model) {
    InferTensorContents.Builder x = InferTensorContents.newBuilder();
    for (int i = 0; i < 784; i++) {
      x.addFp32Contents(i / 784f);
    }
    ModelInferResponse typed =
        server
            .stub()
            .modelInfer(
                ModelInferRequest.newBuilder()
                    .setModelName(model)
                    .addInputs(input("INPUT0", "FP32", 1, 784).setContents(x))
                    .build());
    float[] fromTyped = WireTensors.readFloats(typed.getRawOutputContents(0));
    float[] values = new float[784];
    for (int i = 0; i < 784; i++) {
      values[i] = i / 784f;
    }
    ModelInferResponse raw =
        server
            .stub()
            .modelInfer(
                ModelInferRequest.newBuilder()
                    .setModelName(model)
                    .addInputs(input("INPUT0", "FP32", 1, 784))
                    .addRawInputContents(floats(values))
                    .build());
    assertArrayEquals(fromTyped, WireTensors.readFloats(raw.getRawOutputContents(0)));
    float total = 0;
    for (float p : fromTyped) {
      total += p;
    }
    assertEquals(1f, total, 1e-4f);
  }

  @ParameterizedTest
  @ValueSource(strings = {"simple", "simple_onnx"})
  void shouldAcceptAnExplicitVersion(String model) {
    ModelInferResponse response =
        server.stub().modelInfer(simpleRequest().setModelName(model).setModelVersion("1").build());
    assertEquals("1", response.getModelVersion());
    assertEquals(16, readInt32s(output(response, "OUTPUT0")).length);
  }
}
