package io.ringserve.server;

import static io.ringserve.server.RestCalls.json;
import static io.ringserve.server.RestCalls.object;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import inference.GrpcService.ModelInferRequest;
import io.grpc.StatusRuntimeException;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The REST port over a real HTTP/1.1 connection on 127.0.0.1: every route of the KServe v2 REST
 * protocol and Triton's extensions, JSON and binary tensors in the shapes {@code tritonclient.http}
 * sends and parses, Triton's status codes and error bodies, and compression both ways.
 */
class RestEndToEndTest {
  private static TestServer server;
  private static RestCalls rest;

  @BeforeAll
  static void startServer() {
    server = TestServers.shared();
    rest = new RestCalls(server.httpBase());
  }

  @Test
  void shouldAnswerAMalformedPathAndGoOnServingTheConnection() throws Exception {
    java.net.URI base = java.net.URI.create(server.httpBase());
    try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(10_000);
      String pipelined =
          "GET /v2/models/%zz/ready HTTP/1.1\r\nHost: x\r\n\r\n"
              + "GET /v2/models/a%25zz/ready HTTP/1.1\r\nHost: x\r\n\r\n"
              + "GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n";
      socket.getOutputStream().write(pipelined.getBytes(StandardCharsets.US_ASCII));
      java.io.BufferedReader in =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      assertEquals("HTTP/1.1 400 Bad Request", in.readLine());
      skipBody(in);
      // "%25" is decoded once: a model named "a%zz", which does not exist, is not ready.
      assertEquals("HTTP/1.1 400 Bad Request", in.readLine());
      skipBody(in);
      assertEquals("HTTP/1.1 200 OK", in.readLine(), "the connection stopped answering");
    }
  }

  private static void skipBody(java.io.BufferedReader in) throws java.io.IOException {
    int length = 0;
    for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring("content-length:".length()).trim());
      }
    }
    for (int i = 0; i < length; i++) {
      in.read();
    }
  }

  @Test
  void shouldAnswerHealthWithAnEmptyOk() {
    for (String path :
        new String[] {
          "/v2/health/live",
          "/v2/health/ready",
          "/v2/models/simple/ready",
          "/v2/models/simple/versions/1/ready"
        }) {
      HttpResponse<byte[]> r = rest.get(path);
      assertEquals(200, r.statusCode(), path);
      assertEquals(0, r.body().length, path);
    }
    HttpResponse<byte[]> unknown = rest.get("/v2/models/nope/ready");
    assertEquals(400, unknown.statusCode());
    assertEquals(0, unknown.body().length);
  }

  @Test
  void shouldDescribeTheServerAndItsModels() {
    JsonNode server = json(rest.get("/v2"));
    assertEquals("ringserve", server.get("name").asText());
    assertTrue(
        server.get("extensions").toString().contains("binary_tensor_data"), server.toString());

    JsonNode model = json(rest.get("/v2/models/simple"));
    assertEquals("simple", model.get("name").asText());
    assertEquals("[\"1\"]", model.get("versions").toString());
    assertEquals("INPUT0", model.get("inputs").get(0).get("name").asText());
    assertEquals("INT32", model.get("inputs").get(0).get("datatype").asText());
    assertEquals("[-1,16]", model.get("inputs").get(0).get("shape").toString());

    JsonNode config = json(rest.get("/v2/models/simple/config"));
    assertEquals("simple", config.get("name").asText());
    assertEquals(8, config.get("max_batch_size").asInt());
    assertEquals("TYPE_INT32", config.get("input").get(0).get("data_type").asText());
    assertTrue(config.get("input").get(0).get("dims").get(0).isNumber(), config.toString());
  }

  @Test
  void shouldCountHttpRequestsInTheStatistics() {
    long before = inferenceCount();
    infer(simpleJson(1, 2));
    JsonNode stats = json(rest.get("/v2/models/simple/versions/1/stats"));
    JsonNode model = stats.get("model_stats").get(0);
    assertTrue(model.get("inference_count").isNumber(), stats.toString());
    assertTrue(inferenceCount() > before, stats.toString());
    assertTrue(json(rest.get("/v2/models/stats")).get("model_stats").size() >= 3);
  }

  private static long inferenceCount() {
    return json(rest.get("/v2/models/simple/stats"))
        .get("model_stats")
        .get(0)
        .get("inference_count")
        .asLong();
  }

  @Test
  void shouldListTheRepository() {
    HttpResponse<byte[]> r = rest.postJson("/v2/repository/index", object().put("ready", true));
    assertEquals(200, r.statusCode());
    JsonNode index = json(r);
    assertTrue(index.isArray(), index.toString());
    assertTrue(index.toString().contains("\"name\":\"mlp\""), index.toString());
    assertTrue(index.toString().contains("\"state\":\"READY\""), index.toString());
  }

  @Test
  void shouldAnswerWithTritonsStatusCodesAndErrorBodies() {
    HttpResponse<byte[]> unknown = rest.get("/v2/models/nope");
    assertEquals(404, unknown.statusCode());
    StatusRuntimeException grpc =
        org.junit.jupiter.api.Assertions.assertThrows(
            StatusRuntimeException.class,
            () ->
                server
                    .stub()
                    .modelMetadata(
                        inference.GrpcService.ModelMetadataRequest.newBuilder()
                            .setName("nope")
                            .build()));
    assertEquals(grpc.getStatus().getDescription(), json(unknown).get("error").asText());

    assertEquals(404, rest.get("/v2/nothing/here").statusCode());
    assertEquals(404, rest.get("/v1/models").statusCode());
    assertEquals(405, rest.get("/v2/models/simple/infer").statusCode());
    assertEquals(405, rest.post("/v2/health/live", new byte[0]).statusCode());

    HttpResponse<byte[]> load = rest.postJson("/v2/repository/models/simple/load", object());
    StatusRuntimeException grpcLoad =
        org.junit.jupiter.api.Assertions.assertThrows(
            StatusRuntimeException.class,
            () ->
                server
                    .stub()
                    .repositoryModelLoad(
                        inference.GrpcService.RepositoryModelLoadRequest.newBuilder()
                            .setModelName("simple")
                            .build()));
    assertEquals(expectedHttpCode(grpcLoad.getStatus().getCode()), load.statusCode());
    assertEquals(grpcLoad.getStatus().getDescription(), json(load).get("error").asText());
  }

  static int expectedHttpCode(io.grpc.Status.Code code) {
    return switch (code) {
      case OK -> 200;
      case NOT_FOUND -> 404;
      case UNAVAILABLE -> 503;
      case UNIMPLEMENTED -> 501;
      case INTERNAL, UNKNOWN, DATA_LOSS -> 500;
      default -> 400;
    };
  }

  @Test
  void shouldInferWithJsonTensorsAndEchoTheId() {
    ObjectNode request = simpleJson(3, 1);
    request.put("id", "req-42");
    JsonNode answer = infer(request);
    assertEquals("req-42", answer.get("id").asText());
    assertEquals("simple", answer.get("model_name").asText());
    assertEquals("1", answer.get("model_version").asText());
    JsonNode out0 = output(answer, "OUTPUT0");
    assertEquals("INT32", out0.get("datatype").asText());
    assertEquals("[1,16]", out0.get("shape").toString());
    assertEquals(4, out0.get("data").get(0).asInt());
    assertEquals(2, output(answer, "OUTPUT1").get("data").get(15).asInt());
  }

  @Test
  void shouldTakeNestedDataAndStringsAsBytes() {
    ObjectNode request = object();
    ArrayNode inputs = request.putArray("inputs");
    for (String name : new String[] {"INPUT0", "INPUT1"}) {
      ObjectNode in = inputs.addObject().put("name", name).put("datatype", "BYTES");
      in.putArray("shape").add(1).add(16);
      ArrayNode row = in.putArray("data").addArray();
      for (int i = 0; i < 16; i++) {
        row.add(Integer.toString(name.equals("INPUT0") ? i : 1));
      }
    }
    HttpResponse<byte[]> r = rest.postJson("/v2/models/simple_string/infer", request);
    assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    JsonNode out0 = output(json(r), "OUTPUT0");
    assertEquals("BYTES", out0.get("datatype").asText());
    assertEquals("16", out0.get("data").get(15).asText());
  }

  @Test
  void shouldMixJsonAndBinaryInputsAndOutputs() {
    ObjectNode header = object();
    ArrayNode inputs = header.putArray("inputs");
    ObjectNode in0 = inputs.addObject().put("name", "INPUT0").put("datatype", "INT32");
    in0.putArray("shape").add(1).add(16);
    ArrayNode data = in0.putArray("data");
    for (int i = 0; i < 16; i++) {
      data.add(i);
    }
    ObjectNode in1 = inputs.addObject().put("name", "INPUT1").put("datatype", "INT32");
    in1.putArray("shape").add(1).add(16);
    in1.putObject("parameters").put("binary_data_size", 64);
    ArrayNode outputs = header.putArray("outputs");
    outputs.addObject().put("name", "OUTPUT0").putObject("parameters").put("binary_data", true);
    outputs.addObject().put("name", "OUTPUT1").putObject("parameters").put("binary_data", false);

    HttpResponse<byte[]> r =
        rest.postBinary("/v2/models/simple/infer", header, int32s(fill(16, 10)));
    assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    assertEquals("application/octet-stream", r.headers().firstValue("Content-Type").orElse(""));
    int[] sum = readInt32s(RestCalls.binaryOutput(r, "OUTPUT0"));
    assertEquals(10, sum[0]);
    assertEquals(25, sum[15]);
    JsonNode answer = json(r);
    assertEquals(64, output(answer, "OUTPUT0").get("parameters").get("binary_data_size").asInt());
    assertEquals(-10, output(answer, "OUTPUT1").get("data").get(0).asInt());
  }

  @Test
  void shouldReturnEveryOutputAsBinaryWhenTheRequestAsks() {
    ObjectNode request = simpleJson(5, 5);
    request.putObject("parameters").put("binary_data_output", true);
    HttpResponse<byte[]> r = rest.postJson("/v2/models/simple/infer", request);
    assertEquals(200, r.statusCode());
    assertArrayEquals(fill(16, 10), readInt32s(RestCalls.binaryOutput(r, "OUTPUT0")));
    assertArrayEquals(fill(16, 0), readInt32s(RestCalls.binaryOutput(r, "OUTPUT1")));
  }

  @Test
  void shouldTakeARawBinaryRequestAsTheModelsOnlyInput() {
    float[] pixels = new float[784];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (i % 17) / 17f;
    }
    ByteBuffer raw = ByteBuffer.allocate(784 * 4).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(pixels);
    HttpResponse<byte[]> r =
        rest.post("/v2/models/mlp/infer", raw.array(), RestCalls.HEADER_LENGTH, "0");
    assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    byte[] viaHttp = RestCalls.binaryOutput(r, "OUTPUT0");
    ModelInferRequest grpc =
        ModelInferRequest.newBuilder()
            .setModelName("mlp")
            .addInputs(WireTensors.input("INPUT0", "FP32", 1, 784))
            .addRawInputContents(com.google.protobuf.ByteString.copyFrom(raw.array()))
            .build();
    byte[] viaGrpc = WireTensors.output(server.stub().modelInfer(grpc), "OUTPUT0").toByteArray();
    assertArrayEquals(viaGrpc, viaHttp);
  }

  @Test
  void shouldNameTheKindOfValueAJsonInputExpected() {
    ObjectNode request = object();
    ObjectNode in =
        request.putArray("inputs").addObject().put("name", "INPUT0").put("datatype", "INT32");
    in.putArray("shape").add(1).add(1);
    in.putArray("data").add("seven");
    HttpResponse<byte[]> r = rest.postJson("/v2/models/simple/infer", request);
    assertEquals(400, r.statusCode());
    assertEquals(
        "Unable to parse 'data' of input 'INPUT0': expected an integer, got \"seven\"",
        json(r).get("error").asText());
  }

  @Test
  void shouldRefuseHalfPrecisionInJsonPointingAtBinaryData() {
    ObjectNode request = object();
    ObjectNode in =
        request.putArray("inputs").addObject().put("name", "INPUT0").put("datatype", "FP16");
    in.putArray("shape").add(1);
    in.putArray("data").add(1.0);
    HttpResponse<byte[]> r = rest.postJson("/v2/models/simple/infer", request);
    assertEquals(400, r.statusCode());
    assertEquals(
        "receiving FP16 data via JSON is not supported. Please use the binary data format for input INPUT0",
        json(r).get("error").asText());
  }

  @Test
  void shouldDecompressRequestsAndCompressAnswers() throws Exception {
    byte[] plain = RestCalls.bytes(simpleJson(2, 2));
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(plain);
    }
    HttpResponse<byte[]> r =
        rest.post(
            "/v2/models/simple/infer",
            gz.toByteArray(),
            "Content-Encoding",
            "gzip",
            "Accept-Encoding",
            "gzip");
    assertEquals(200, r.statusCode());
    assertEquals("gzip", r.headers().firstValue("Content-Encoding").orElse(""));
    byte[] body = new GZIPInputStream(new java.io.ByteArrayInputStream(r.body())).readAllBytes();
    JsonNode answer = RestCalls.JSON.readTree(body);
    assertEquals(4, output(answer, "OUTPUT0").get("data").get(0).asInt());

    ByteArrayOutputStream deflated = new ByteArrayOutputStream();
    try (DeflaterOutputStream out = new DeflaterOutputStream(deflated)) {
      out.write(plain);
    }
    HttpResponse<byte[]> d =
        rest.post("/v2/models/simple/infer", deflated.toByteArray(), "Content-Encoding", "deflate");
    assertEquals(200, d.statusCode(), new String(d.body(), StandardCharsets.UTF_8));
    assertEquals(0, output(json(d), "OUTPUT1").get("data").get(0).asInt());
  }

  @Test
  void shouldRefuseABodyOverTheLimitAndKeepServing() {
    byte[] huge = new byte[TestServers.MAX_MESSAGE_BYTES + 1];
    HttpResponse<byte[]> r = rest.post("/v2/models/mlp/infer", huge, RestCalls.HEADER_LENGTH, "0");
    assertEquals(400, r.statusCode());
    assertTrue(
        json(r).get("error").asText().contains("--http-max-input-size"),
        new String(r.body(), StandardCharsets.UTF_8));
    assertEquals(4, output(infer(simpleJson(2, 2)), "OUTPUT0").get("data").get(0).asInt());
  }

  static ObjectNode simpleJson(int a, int b) {
    ObjectNode request = object();
    ArrayNode inputs = request.putArray("inputs");
    for (int k = 0; k < 2; k++) {
      ObjectNode in = inputs.addObject().put("name", "INPUT" + k).put("datatype", "INT32");
      in.putArray("shape").add(1).add(16);
      ArrayNode data = in.putArray("data");
      for (int i = 0; i < 16; i++) {
        data.add(k == 0 ? a : b);
      }
    }
    return request;
  }

  static JsonNode infer(ObjectNode request) {
    HttpResponse<byte[]> r = rest.postJson("/v2/models/simple/infer", request);
    assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
    return json(r);
  }

  static JsonNode output(JsonNode answer, String name) {
    for (JsonNode o : answer.get("outputs")) {
      if (o.get("name").asText().equals(name)) {
        return o;
      }
    }
    throw new AssertionError("no output " + name + " in " + answer);
  }

  static int[] fill(int n, int value) {
    int[] v = new int[n];
    java.util.Arrays.fill(v, value);
    return v;
  }

  static byte[] int32s(int[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asIntBuffer().put(values);
    return b.array();
  }

  static int[] readInt32s(byte[] raw) {
    int[] v = new int[raw.length / 4];
    ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(v);
    return v;
  }
}
