package io.ringserve.server;

import static io.ringserve.server.RestCalls.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import inference.GrpcService.InferParameter;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferRequest.InferInputTensor;
import io.grpc.Status;
import io.ringserve.server.testing.TestServers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The gRPC bad-input suite ({@link BadInputEndToEndTest}) sent over REST: every case that has an
 * HTTP form (raw contents become binary inputs, as {@code tritonclient.http} sends them) gets
 * Triton's HTTP status for the gRPC code and the very same message, and the server keeps serving.
 */
class RestBadInputEndToEndTest {
  private static RestCalls rest;

  @BeforeAll
  static void startServer() {
    rest = new RestCalls(TestServers.shared().httpBase());
  }

  @AfterEach
  void serverStillServes() {
    assertEquals(
        4,
        RestEndToEndTest.output(
                json(rest.postJson("/v2/models/simple/infer", RestEndToEndTest.simpleJson(2, 2))),
                "OUTPUT0")
            .get("data")
            .get(0)
            .asInt());
  }

  /** The gRPC cases whose request has one raw contents entry per input and no typed contents. */
  static Stream<Arguments> badRequests() {
    return BadInputEndToEndTest.badRequests()
        .filter(
            a -> {
              ModelInferRequest r = (ModelInferRequest) a.get()[1];
              return r.getRawInputContentsCount() == r.getInputsCount()
                  && r.getInputsList().stream().noneMatch(InferInputTensor::hasContents);
            });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void shouldAnswerTheGrpcMessageWithTritonsHttpStatus(
      String problem, ModelInferRequest request, Status.Code code, String message) {
    ObjectNode header = RestCalls.object();
    for (Map.Entry<String, InferParameter> p : request.getParametersMap().entrySet()) {
      ObjectNode params =
          header.has("parameters")
              ? (ObjectNode) header.get("parameters")
              : header.putObject("parameters");
      InferParameter v = p.getValue();
      switch (v.getParameterChoiceCase()) {
        case INT64_PARAM -> params.put(p.getKey(), v.getInt64Param());
        case STRING_PARAM -> params.put(p.getKey(), v.getStringParam());
        case BOOL_PARAM -> params.put(p.getKey(), v.getBoolParam());
        default -> throw new AssertionError("no JSON form for " + v);
      }
    }
    ArrayNode inputs = header.putArray("inputs");
    byte[][] tensors = new byte[request.getInputsCount()][];
    for (int i = 0; i < request.getInputsCount(); i++) {
      InferInputTensor in = request.getInputs(i);
      ObjectNode input =
          inputs.addObject().put("name", in.getName()).put("datatype", in.getDatatype());
      ArrayNode shape = input.putArray("shape");
      in.getShapeList().forEach(shape::add);
      tensors[i] = request.getRawInputContents(i).toByteArray();
      input.putObject("parameters").put("binary_data_size", tensors[i].length);
    }
    if (request.getOutputsCount() > 0) {
      ArrayNode outputs = header.putArray("outputs");
      for (var o : request.getOutputsList()) {
        ObjectNode output = outputs.addObject().put("name", o.getName());
        o.getParametersMap()
            .forEach(
                (key, value) -> {
                  ObjectNode params =
                      output.has("parameters")
                          ? (ObjectNode) output.get("parameters")
                          : output.putObject("parameters");
                  params.put(key, value.getInt64Param());
                });
      }
    }
    String path =
        "/v2/models/"
            + request.getModelName()
            + (request.getModelVersion().isEmpty() ? "" : "/versions/" + request.getModelVersion())
            + "/infer";
    HttpResponse<byte[]> r = rest.postBinary(path, header, tensors);
    String body = new String(r.body(), StandardCharsets.UTF_8);
    assertEquals(RestEndToEndTest.expectedHttpCode(code), r.statusCode(), problem + ": " + body);
    String error = json(r).get("error").asText();
    assertTrue(
        error.contains(message), problem + ": expected <" + message + "> in <" + error + ">");
  }
}
