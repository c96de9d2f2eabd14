package io.ringserve.server;

import static io.ringserve.server.WireTensors.input;
import static io.ringserve.server.WireTensors.int32s;
import static io.ringserve.server.WireTensors.output;
import static io.ringserve.server.WireTensors.readInt32s;
import static io.ringserve.server.WireTensors.simpleRequest;
import static io.ringserve.server.WireTensors.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import inference.GrpcService.InferParameter;
import inference.GrpcService.InferTensorContents;
import inference.GrpcService.ModelConfigRequest;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelMetadataRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every kind of bad request is answered with the right status code and a message naming the tensor
 * (or model) and the problem, and the server keeps serving afterwards. Requests to {@code simple}
 * are also sent, renamed, to its ONNX Runtime twin {@code simple_onnx}: the answers must not depend
 * on the backend.
 */
class BadInputEndToEndTest {
  private static TestServer server;

  @BeforeAll
  static void startServer() {
    server = TestServers.shared();
  }

  @AfterEach
  void serverStillServes() {
    for (String model : List.of("simple", "simple_onnx")) {
      int[] sum =
          readInt32s(
              output(
                  server.stub().modelInfer(simpleRequest().setModelName(model).build()),
                  "OUTPUT0"));
      assertEquals(16, sum[15], model);
    }
  }

  /** Each bad request, and each one to {@code simple} once more for {@code simple_onnx}. */
  static Stream<Arguments> badRequests() {
    List<Arguments> toSimple = badRequestsToSimple().toList();
    return Stream.concat(
        toSimple.stream(),
        toSimple.stream()
            .filter(a -> ((ModelInferRequest) a.get()[1]).getModelName().equals("simple"))
            .map(BadInputEndToEndTest::toSimpleOnnx));
  }

  private static Arguments toSimpleOnnx(Arguments toSimple) {
    Object[] a = toSimple.get();
    return Arguments.of(
        a[0] + " (simple_onnx)",
        ((ModelInferRequest) a[1]).toBuilder().setModelName("simple_onnx").build(),
        a[2],
        ((String) a[3]).replace("'simple'", "'simple_onnx'"));
  }

  private static Stream<Arguments> badRequestsToSimple() {
    ByteString sixteen = int32s(new int[16]);
    return Stream.of(
        Arguments.of(
            "unknown model",
            simpleRequest().setModelName("nope").build(),
            Status.Code.NOT_FOUND,
            "Request for unknown model: 'nope' is not found"),
        Arguments.of(
            "unknown version",
            simpleRequest().setModelVersion("7").build(),
            Status.Code.NOT_FOUND,
            "Request for unknown model: 'simple' version 7 is not found"),
        Arguments.of(
            "wrong datatype",
            simpleRequest().setInputs(0, input("INPUT0", "FP32", 1, 16)).build(),
            Status.Code.INVALID_ARGUMENT,
            "inference input 'INPUT0' data-type is 'FP32', but model 'simple' expects 'INT32'"),
        Arguments.of(
            "unknown datatype",
            simpleRequest().setInputs(0, input("INPUT0", "INT33", 1, 16)).build(),
            Status.Code.INVALID_ARGUMENT,
            "inference input 'INPUT0' data-type is 'INT33'"),
        Arguments.of(
            "shape not matching the config",
            simpleRequest().setInputs(0, input("INPUT0", "INT32", 2, 8)).build(),
            Status.Code.INVALID_ARGUMENT,
            "unexpected shape for input 'INPUT0' for model 'simple'. Expected [-1,16], got [2,8]"),
        Arguments.of(
            "batch over max_batch_size",
            ModelInferRequest.newBuilder()
                .setModelName("simple")
                .addInputs(input("INPUT0", "INT32", 9, 16))
                .addInputs(input("INPUT1", "INT32", 9, 16))
                .addRawInputContents(int32s(new int[9 * 16]))
                .addRawInputContents(int32s(new int[9 * 16]))
                .build(),
            Status.Code.INVALID_ARGUMENT,
            "inference request batch-size must be <= 8 for 'simple' (input 'INPUT0'"),
        Arguments.of(
            "raw byte length not matching the shape",
            simpleRequest().setRawInputContents(1, int32s(new int[15])).build(),
            Status.Code.INVALID_ARGUMENT,
            "input byte size mismatch for input 'INPUT1' for model 'simple'. Expected 64, got 60"),
        Arguments.of(
            "raw and typed contents mixed",
            simpleRequest()
                .setInputs(
                    1,
                    input("INPUT1", "INT32", 1, 16)
                        .setContents(InferTensorContents.newBuilder().addIntContents(1)))
                .build(),
            Status.Code.INVALID_ARGUMENT,
            "contents field must not be specified when using raw_input_contents for 'INPUT1' for model 'simple'"),
        Arguments.of(
            "unknown input",
            simpleRequest()
                .addInputs(input("INPUT9", "INT32", 1, 16))
                .addRawInputContents(sixteen)
                .build(),
            Status.Code.INVALID_ARGUMENT,
            "unexpected inference input 'INPUT9' for model 'simple'"),
        Arguments.of(
            "missing input",
            ModelInferRequest.newBuilder()
                .setModelName("simple")
                .addInputs(input("INPUT0", "INT32", 1, 16))
                .addRawInputContents(sixteen)
                .build(),
            Status.Code.INVALID_ARGUMENT,
            "expected 2 inputs but got 1 inputs for model 'simple': missing input 'INPUT1'"),
        Arguments.of(
            "duplicated input",
            simpleRequest().setInputs(1, input("INPUT0", "INT32", 1, 16)).build(),
            Status.Code.INVALID_ARGUMENT,
            "input 'INPUT0' already exists in request for model 'simple'"),
        Arguments.of(
            "negative dimension",
            simpleRequest().setInputs(0, input("INPUT0", "INT32", -1, 16)).build(),
            Status.Code.INVALID_ARGUMENT,
            "tensor 'INPUT0' has a negative dimension in shape [-1, 16]"),
        Arguments.of(
            "shape whose element count overflows",
            simpleRequest().setInputs(0, input("INPUT0", "INT32", 1L << 32, 1L << 32, 16)).build(),
            Status.Code.INVALID_ARGUMENT,
            "tensor 'INPUT0' has a shape whose size overflows"),
        Arguments.of(
            "malformed BYTES length prefix",
            ModelInferRequest.newBuilder()
                .setModelName("simple_string")
                .addInputs(input("INPUT0", "BYTES", 1, 16))
                .addInputs(input("INPUT1", "BYTES", 1, 16))
                .addRawInputContents(
                    strings(
                            "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13",
                            "14", "15")
                        .concat(ByteString.copyFrom(new byte[] {100, 0, 0, 0, '1'})))
                .addRawInputContents(
                    strings(
                        "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14",
                        "15", "16"))
                .build(),
            Status.Code.INVALID_ARGUMENT,
            "tensor 'INPUT0' has a malformed BYTES element 15: length 100 exceeds the 1 bytes left"),
        Arguments.of(
            "BYTES element count not matching the shape",
            ModelInferRequest.newBuilder()
                .setModelName("simple_string")
                .addInputs(input("INPUT0", "BYTES", 1, 16))
                .addInputs(input("INPUT1", "BYTES", 1, 16))
                .addRawInputContents(strings("1", "2"))
                .addRawInputContents(strings("1", "2"))
                .build(),
            Status.Code.INVALID_ARGUMENT,
            "tensor 'INPUT0' holds 2 BYTES elements but its shape needs 16"),
        Arguments.of(
            "unknown requested output",
            simpleRequest()
                .addOutputs(
                    ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("OUTPUT7"))
                .build(),
            Status.Code.INVALID_ARGUMENT,
            "unexpected inference output 'OUTPUT7' for model 'simple'"),
        Arguments.of(
            "classification asked of an output",
            simpleRequest()
                .addOutputs(
                    ModelInferRequest.InferRequestedOutputTensor.newBuilder()
                        .setName("OUTPUT0")
                        .putParameters(
                            "classification", InferParameter.newBuilder().setInt64Param(2).build()))
                .build(),
            Status.Code.UNIMPLEMENTED,
            "output 'OUTPUT0' asks for classification, which is not supported"),
        Arguments.of(
            "typed element count not matching the shape",
            ModelInferRequest.newBuilder()
                .setModelName("simple")
                .addInputs(
                    input("INPUT0", "INT32", 1, 16)
                        .setContents(InferTensorContents.newBuilder().addIntContents(1)))
                .addInputs(
                    input("INPUT1", "INT32", 1, 16)
                        .setContents(InferTensorContents.newBuilder().addIntContents(1)))
                .build(),
            Status.Code.INVALID_ARGUMENT,
            "unexpected number of elements for input 'INPUT0' for model 'simple': its shape has 16 elements, its int_contents holds 1"),
        Arguments.of(
            "raw contents count not matching the inputs",
            simpleRequest().addRawInputContents(int32s(1)).build(),
            Status.Code.INVALID_ARGUMENT,
            "expected 2 raw input contents (one per input) but got 3 for model 'simple'"),
        Arguments.of(
            "priority above the model's levels",
            simpleRequest()
                .putParameters("priority", InferParameter.newBuilder().setInt64Param(5).build())
                .build(),
            Status.Code.INVALID_ARGUMENT,
            "priority 5"),
        Arguments.of(
            "priority of the wrong type",
            simpleRequest()
                .putParameters(
                    "priority", InferParameter.newBuilder().setStringParam("high").build())
                .build(),
            Status.Code.INVALID_ARGUMENT,
            "parameter 'priority' for model 'simple' must be an int64 or uint64"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void shouldRejectWithACodeAndAMessageNamingTheProblem(
      String problem, ModelInferRequest request, Status.Code code, String message) {
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> server.stub().modelInfer(request));
    assertEquals(code, e.getStatus().getCode(), problem + ": " + e.getStatus());
    assertTrue(
        e.getStatus().getDescription().contains(message),
        problem
            + ": expected message containing <"
            + message
            + "> but was <"
            + e.getStatus().getDescription()
            + ">");
  }

  /**
   * Triton's own {@code grpc_explicit_int_content_client.py} case: raw contents for one input and
   * typed contents on the other. Triton checks each input's typed-vs-raw conflict before it counts
   * the raw contents, so the conflict is the error, not the count.
   */
  @ParameterizedTest
  @ValueSource(strings = {"simple", "simple_onnx"})
  void shouldNameTheTypedInputWhenRawContentsCoverOnlyTheOther(String model) {
    ModelInferRequest request =
        ModelInferRequest.newBuilder()
            .setModelName(model)
            .addInputs(
                input("INPUT0", "INT32", 1, 16)
                    .setContents(InferTensorContents.newBuilder().addAllIntContents(ones(16))))
            .addInputs(input("INPUT1", "INT32", 1, 16))
            .addRawInputContents(int32s(new int[16]))
            .build();
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> server.stub().modelInfer(request));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertEquals(
        "contents field must not be specified when using raw_input_contents for 'INPUT0' for model '"
            + model
            + "'",
        e.getStatus().getDescription());
  }

  private static List<Integer> ones(int n) {
    return java.util.Collections.nCopies(n, 1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"mlp", "mlp_onnx"})
  void shouldRejectAMessageOverTheSizeLimitWithResourceExhausted(String model) {
    int floats = TestServers.MAX_MESSAGE_BYTES / 4 + 1024;
    ModelInferRequest huge =
        ModelInferRequest.newBuilder()
            .setModelName(model)
            .addInputs(input("INPUT0", "FP32", floats / 784, 784))
            .addRawInputContents(ByteString.copyFrom(new byte[(floats / 784) * 784 * 4]))
            .build();
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> server.stub().modelInfer(huge));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.getStatus().toString());
  }

  @Test
  void shouldAnswerNotFoundForMetadataAndConfigOfUnknownModels() {
    StatusRuntimeException metadata =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                server
                    .stub()
                    .modelMetadata(ModelMetadataRequest.newBuilder().setName("nope").build()));
    assertEquals(Status.Code.NOT_FOUND, metadata.getStatus().getCode());
    assertTrue(metadata.getStatus().getDescription().contains("'nope'"));
    StatusRuntimeException config =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                server
                    .stub()
                    .modelConfig(
                        ModelConfigRequest.newBuilder().setName("simple").setVersion("x").build()));
    assertEquals(Status.Code.NOT_FOUND, config.getStatus().getCode());
  }
}
