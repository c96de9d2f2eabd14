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
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;
import java.util.zip.InflaterInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The exact bytes {@code tritonclient.http} sends (read in its public source, {@code
 * src/python/library/tritonclient/http/}: {@code _utils._get_inference_request}, {@code
 * _infer_input.InferInput}, {@code _requested_output.InferRequestedOutput}, {@code
 * _client.InferenceServerClient.infer}): the compact separators of {@code rapidjson.dumps} in
 * current versions and {@code json.dumps}' spacing in older ones, no Content-Type, binary tensors
 * after the JSON header, {@code binary_data_output} when no outputs are named, {@code binary_data}
 * per named output, gzip/deflate bodies, empty bodies on repository calls; and the answers as it
 * parses them ({@code _infer_result.InferResult}: {@code Inference-Header-Content-Length}, binary
 * outputs in the order of {@code outputs} by their {@code binary_data_size}, {@code
 * Content-Encoding} exactly {@code gzip} or {@code deflate}; {@code _utils._get_error}: any status
 * but 200 carries {@code {"error": ...}}); and the routes whose answer is the gRPC method's, in the
 * same words.
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

  /**
   * The header exactly as tritonclient.http's {@code _utils._get_inference_request} builds it for
   * {@code infer(model, inputs, outputs=[InferRequestedOutput("OUTPUT0"),
   * InferRequestedOutput("OUTPUT1", binary_data=False)], request_id="7", timeout=5000000)}: keys in
   * the order the function fills its dict ({@code id}, {@code inputs}, {@code outputs}, then {@code
   * parameters}), each input as {@code InferInput._get_tensor} lays it out (name, shape, datatype,
   * parameters), each output as {@code InferRequestedOutput._get_tensor} (name, parameters with
   * {@code binary_data}), no {@code binary_data_output} since outputs are named, and the compact
   * separators of {@code rapidjson.dumps}. {@code Inference-Header-Content-Length} is {@code
   * len(request_json)}, which equals the byte count for this ASCII header.
   */
  static final String CLIENT_HEADER =
      "{\"id\":\"7\",\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"INT32\","
          + "\"parameters\":{\"binary_data_size\":64}},{\"name\":\"INPUT1\",\"shape\":[1,16],"
          + "\"datatype\":\"INT32\",\"parameters\":{\"binary_data_size\":64}}],"
          + "\"outputs\":[{\"name\":\"OUTPUT0\",\"parameters\":{\"binary_data\":true}},"
          + "{\"name\":\"OUTPUT1\",\"parameters\":{\"binary_data\":false}}],"
          + "\"parameters\":{\"timeout\":5000000}}";

  static byte[] clientBody() {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(CLIENT_HEADER.getBytes(StandardCharsets.US_ASCII));
    body.writeBytes(RestEndToEndTest.int32s(RestEndToEndTest.fill(16, 7)));
    body.writeBytes(RestEndToEndTest.int32s(RestEndToEndTest.fill(16, 2)));
    return body.toByteArray();
  }

  @Test
  void shouldAnswerTritonClientsNamedOutputsBinaryAndJsonAsItParsesThem() throws Exception {
    HttpResponse<byte[]> r =
        rest.post(
            "/v2/models/simple/infer",
            clientBody(),
            RestCalls.HEADER_LENGTH,
            Integer.toString(CLIENT_HEADER.length()));
    assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    assertClientReads(r.headers().firstValue(RestCalls.HEADER_LENGTH), r.body());
  }

  @Test
  void shouldTakeAGzippedRequestAndAnswerDeflateAsTritonClientAsks() throws Exception {
    // InferenceServerClient.infer(..., request_compression_algorithm="gzip",
    // response_compression_algorithm="deflate"): the body is gzip.compress(request_body) under
    // Content-Encoding: gzip, Accept-Encoding: deflate asks for the answer; the header length is
    // the uncompressed JSON's. InferResult decompresses with zlib.decompress when
    // Content-Encoding is exactly "deflate" (zlib-wrapped), then splits the body.
    ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(gzipped)) {
      gz.write(clientBody());
    }
    HttpResponse<byte[]> r =
        rest.post(
            "/v2/models/simple/infer",
            gzipped.toByteArray(),
            "Content-Encoding",
            "gzip",
            "Accept-Encoding",
            "deflate",
            RestCalls.HEADER_LENGTH,
            Integer.toString(CLIENT_HEADER.length()));
    assertEquals(200, r.statusCode());
    assertEquals("deflate", r.headers().firstValue("Content-Encoding").orElse(""));
    byte[] body;
    try (InflaterInputStream in = new InflaterInputStream(new ByteArrayInputStream(r.body()))) {
      body = in.readAllBytes();
    }
    assertClientReads(r.headers().firstValue(RestCalls.HEADER_LENGTH), body);
  }

  /** What InferResult reads from the answer to {@link #CLIENT_HEADER}: 7+2 binary, 7-2 in JSON. */
  private static void assertClientReads(java.util.Optional<String> headerLength, byte[] body)
      throws Exception {
    int length = Integer.parseInt(headerLength.orElseThrow());
    JsonNode answer = RestCalls.JSON.readTree(Arrays.copyOfRange(body, 0, length));
    assertEquals("7", answer.get("id").asText(), answer.toString());
    JsonNode out0 = answer.get("outputs").get(0);
    JsonNode out1 = answer.get("outputs").get(1);
    assertEquals("OUTPUT0", out0.get("name").asText());
    assertEquals(64, out0.get("parameters").get("binary_data_size").asInt(), out0.toString());
    assertArrayEquals(
        RestEndToEndTest.int32s(RestEndToEndTest.fill(16, 9)),
        Arrays.copyOfRange(body, length, length + 64));
    assertEquals("OUTPUT1", out1.get("name").asText());
    assertTrue(
        out1.get("parameters") == null || !out1.get("parameters").has("binary_data_size"),
        out1.toString());
    assertEquals(16, out1.get("data").size());
    assertEquals(5, out1.get("data").get(0).asInt());
    assertEquals(length + 64, body.length, "only OUTPUT0's bytes follow the JSON");
  }

  @Test
  void shouldRefuseClassificationRatherThanAnswerTheFullTensor() throws Exception {
    // InferRequestedOutput("OUTPUT0", class_count=2) puts "classification": 2 before
    // "binary_data" in the output's parameters. Answering the whole tensor instead of the top
    // classes would be read as a wrong answer: it is refused, in the error body _get_error reads.
    String header =
        "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"INT32\","
            + "\"parameters\":{\"binary_data_size\":64}},{\"name\":\"INPUT1\",\"shape\":[1,16],"
            + "\"datatype\":\"INT32\",\"parameters\":{\"binary_data_size\":64}}],"
            + "\"outputs\":[{\"name\":\"OUTPUT0\",\"parameters\":{\"classification\":2,"
            + "\"binary_data\":true}}]}";
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
    body.writeBytes(RestEndToEndTest.int32s(RestEndToEndTest.fill(16, 7)));
    body.writeBytes(RestEndToEndTest.int32s(RestEndToEndTest.fill(16, 2)));
    HttpResponse<byte[]> r =
        rest.post(
            "/v2/models/simple/infer",
            body.toByteArray(),
            RestCalls.HEADER_LENGTH,
            Integer.toString(header.length()));
    assertEquals(501, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    assertTrue(
        RestCalls.json(r).get("error").asText().contains("classification"),
        new String(r.body(), StandardCharsets.UTF_8));
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
