package io.ringserve.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import inference.GrpcService.LogSettingsRequest;
import inference.GrpcService.ModelRepositoryParameter;
import inference.GrpcService.RepositoryModelUnloadRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The exact bytes {@code tritonclient.http} sends (Python's {@code json.dumps} spacing, no
 * Content-Type, binary tensors after the JSON header, {@code binary_data_output} when no outputs
 * are named, empty bodies on repository calls) and the answers it parses ({@code
 * Inference-Header-Content-Length}, {@code binary_data_size} per output, {@code {"error": ...}});
 * and the routes whose answer is the gRPC method's, in the same words.
 */
class RestTritonClientShapesEndToEndTest {
  private static TestServer server;
  private static RestCalls rest;

  @BeforeAll
  static void startServer() {
    server = TestServers.shared();
    rest = new RestCalls(server.httpBase());
  }

  @Test
  void shouldAnswerTritonClientsBinaryInferWithBinaryOutputs() throws Exception {
    // As InferenceServerClient.infer(model, [INPUT0, INPUT1]) frames it with binary inputs and
    // no InferRequestedOutput: every output comes back binary.
    String header =
        "{\"inputs\": [{\"name\": \"INPUT0\", \"shape\": [1, 16], \"datatype\": \"INT32\","
            + " \"parameters\": {\"binary_data_size\": 64}}, {\"name\": \"INPUT1\", \"shape\":"
            + " [1, 16], \"datatype\": \"INT32\", \"parameters\": {\"binary_data_size\": 64}}],"
            + " \"parameters\": {\"binary_data_output\": true}}";
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(json);
    body.writeBytes(RestEndToEndTest.int32s(RestEndToEndTest.fill(16, 7)));
    body.writeBytes(RestEndToEndTest.int32s(RestEndToEndTest.fill(16, 2)));
    HttpResponse<byte[]> r =
        rest.post(
            "/v2/models/simple/infer",
            body.toByteArray(),
            RestCalls.HEADER_LENGTH,
            Integer.toString(json.length));
    assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    // What InferResult does: the JSON is the first Inference-Header-Content-Length bytes, then
    // each binary output's binary_data_size bytes, in the order of "outputs".
    int headerLength =
        Integer.parseInt(r.headers().firstValue(RestCalls.HEADER_LENGTH).orElseThrow());
    JsonNode answer = RestCalls.JSON.readTree(Arrays.copyOfRange(r.body(), 0, headerLength));
    int offset = headerLength;
    int[][] expected = {RestEndToEndTest.fill(16, 9), RestEndToEndTest.fill(16, 5)};
    int i = 0;
    for (JsonNode output : answer.get("outputs")) {
      assertTrue(!output.has("data"), output.toString());
      int size = output.get("parameters").get("binary_data_size").asInt();
      byte[] raw = Arrays.copyOfRange(r.body(), offset, offset + size);
      assertArrayEquals(RestEndToEndTest.int32s(expected[i++]), raw, output.toString());
      offset += size;
    }
    assertEquals(2, i);
    assertEquals(r.body().length, offset, "nothing after the last output");
  }

  @Test
  void shouldAnswerAnEmptyBodiedRepositoryIndexAsTritonClientSendsIt() throws Exception {
    HttpResponse<byte[]> r = rest.post("/v2/repository/index", new byte[0]);
    assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    JsonNode index = RestCalls.json(r);
    assertTrue(index.isArray(), index.toString());
    boolean simple = false;
    for (JsonNode m : index) {
      simple |= m.get("name").asText().equals("simple") && m.get("state").asText().equals("READY");
    }
    assertTrue(simple, index.toString());
  }

  @Test
  void shouldAnswerUnloadAsGrpcDoesInTheSameWords() {
    // A model that is not there: whatever the control mode, the shared server keeps its models.
    String body = "{\"parameters\": {\"unload_dependents\": false}}";
    HttpResponse<byte[]> r =
        rest.post(
            "/v2/repository/models/no_such_model/unload", body.getBytes(StandardCharsets.UTF_8));
    Status grpc =
        grpcStatus(
            () ->
                server
                    .stub()
                    .repositoryModelUnload(
                        RepositoryModelUnloadRequest.newBuilder()
                            .setModelName("no_such_model")
                            .putParameters(
                                "unload_dependents",
                                ModelRepositoryParameter.newBuilder().setBoolParam(false).build())
                            .build()));
    assertSameAnswer(grpc, r);
  }

  @Test
  void shouldAnswerLoggingGetAndPostAsGrpcDoes() {
    Status grpc =
        grpcStatus(() -> server.stub().logSettings(LogSettingsRequest.getDefaultInstance()));
    assertSameAnswer(grpc, rest.get("/v2/logging"));
    HttpResponse<byte[]> post = rest.post("/v2/logging", "{}".getBytes(StandardCharsets.UTF_8));
    assertSameAnswer(grpc, post);
    HttpResponse<byte[]> put =
        rest.send(
            rest.request("/v2/logging")
                .PUT(java.net.http.HttpRequest.BodyPublishers.noBody())
                .build());
    assertEquals(405, put.statusCode());
  }

  private static Status grpcStatus(Supplier<?> call) {
    try {
      call.get();
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    }
  }

  private static void assertSameAnswer(Status grpc, HttpResponse<byte[]> r) {
    String body = new String(r.body(), StandardCharsets.UTF_8);
    if (grpc.isOk()) {
      assertEquals(200, r.statusCode(), body);
      return;
    }
    assertEquals(RestEndToEndTest.expectedHttpCode(grpc.getCode()), r.statusCode(), body);
    String message =
        grpc.getDescription() == null ? grpc.getCode().toString() : grpc.getDescription();
    assertEquals(message, RestCalls.json(r).get("error").asText(), body);
  }
}
