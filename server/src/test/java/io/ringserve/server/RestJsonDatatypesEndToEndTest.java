package io.ringserve.server;

import static io.ringserve.server.RestCalls.json;
import static io.ringserve.server.RestCalls.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import inference.ModelConfigOuterClass.ModelConfig;
import io.ringserve.batching.ModelRunner;
import io.ringserve.server.backend.Backend;
import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.backend.LoadedModel;
import io.ringserve.server.model.TensorSpec;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import io.ringserve.wire.DataType;
import java.io.IOException;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every datatype the gRPC path takes, in JSON over the REST port, through an identity model (a test
 * backend: ONNX Runtime's Java API cannot feed the unsigned types) with one input and output per
 * datatype: each value (the extremes of the integer types included) comes back as it went in, BOOL
 * as {@code true}/{@code false} and BYTES as strings.
 */
class RestJsonDatatypesEndToEndTest {
  @TempDir static Path repository;
  private static TestServer server;
  private static RestCalls rest;

  /** The values sent for each datatype, in JSON; the answer must hold the same. */
  private static final Map<String, String> VALUES = new LinkedHashMap<>();

  static {
    VALUES.put("BOOL", "[true,false,true]");
    VALUES.put("UINT8", "[0,255,7]");
    VALUES.put("UINT16", "[0,65535,7]");
    VALUES.put("UINT32", "[0,4294967295,7]");
    VALUES.put("UINT64", "[0,18446744073709551615,7]");
    VALUES.put("INT8", "[-128,127,0]");
    VALUES.put("INT16", "[-32768,32767,0]");
    VALUES.put("INT32", "[-2147483648,2147483647,0]");
    VALUES.put("INT64", "[-9223372036854775808,9223372036854775807,0]");
    VALUES.put("FP32", "[1.5,-2.25,0.0]");
    VALUES.put("FP64", "[1.0E300,-0.1,0.0]");
    VALUES.put("BYTES", "[\"a\",\"h\\u00e9llo \\u263a\",\"\"]");
  }

  @BeforeAll
  static void startServer() throws IOException {
    Path model = repository.resolve("identities");
    Files.createDirectories(model.resolve("1"));
    Files.writeString(
        model.resolve("config.pbtxt"),
        "name: \"identities\"\nplatform: \"" + Echo.PLATFORM + "\"\nmax_batch_size: 8\n");
    Files.writeString(model.resolve("1").resolve("model.echo"), "");
    server = TestServers.loopback(repository, List.of(new Echo()));
    rest = new RestCalls(server.httpBase());
  }

  @AfterAll
  static void stopServer() throws InterruptedException {
    server.close();
  }

  /** A request with every input, {@code type}'s values replaced by {@code data} if not null. */
  private static ObjectNode request(String type, JsonNode data) throws IOException {
    ObjectNode request = object();
    ArrayNode inputs = request.putArray("inputs");
    for (Map.Entry<String, String> e : VALUES.entrySet()) {
      ObjectNode in = inputs.addObject().put("name", "IN_" + e.getKey());
      in.put("datatype", e.getKey());
      in.putArray("shape").add(1).add(3);
      boolean replaced = e.getKey().equals(type) && data != null;
      in.set("data", replaced ? data : RestCalls.JSON.readTree(e.getValue()));
    }
    return request;
  }

  @Test
  void shouldReturnEveryDatatypesValuesAsTheyWentIn() throws IOException {
    ObjectNode request = request(null, null);
    HttpResponse<byte[]> r = rest.postJson("/v2/models/identities/infer", request);
    assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    JsonNode answer = json(r);
    for (Map.Entry<String, String> e : VALUES.entrySet()) {
      JsonNode out = null;
      for (JsonNode o : answer.get("outputs")) {
        if (o.get("name").asText().equals("OUT_" + e.getKey())) {
          out = o;
        }
      }
      assertTrue(out != null, "no OUT_" + e.getKey() + " in " + answer);
      assertEquals(e.getKey(), out.get("datatype").asText());
      assertEquals("[1,3]", out.get("shape").toString());
      JsonNode expected = RestCalls.JSON.readTree(e.getValue());
      JsonNode data = out.get("data");
      assertEquals(3, data.size(), e.getKey() + ": " + data);
      for (int i = 0; i < 3; i++) {
        JsonNode want = expected.get(i);
        JsonNode got = data.get(i);
        if (want.isFloatingPointNumber()) {
          assertEquals(want.doubleValue(), got.doubleValue(), 0.0, e.getKey() + "[" + i + "]");
        } else if (want.isIntegralNumber()) {
          assertEquals(
              want.bigIntegerValue(),
              got.isIntegralNumber() ? got.bigIntegerValue() : BigInteger.valueOf(-1),
              e.getKey() + "[" + i + "]: " + got);
        } else {
          assertEquals(want, got, e.getKey() + "[" + i + "]");
        }
      }
    }
  }

  @Test
  void shouldRefuseAnIntegerOutOfItsDatatypesRange() throws IOException {
    for (String[] c :
        new String[][] {
          {"UINT8", "256"}, {"INT8", "-129"}, {"UINT64", "-1"}, {"INT32", "2147483648"}
        }) {
      ArrayNode data = RestCalls.JSON.createArrayNode().add(0).add(new BigInteger(c[1])).add(0);
      HttpResponse<byte[]> r = rest.postJson("/v2/models/identities/infer", request(c[0], data));
      String body = new String(r.body(), StandardCharsets.UTF_8);
      assertEquals(400, r.statusCode(), c[0] + " " + c[1] + ": " + body);
      assertTrue(body.startsWith("{\"error\":"), body);
      assertTrue(body.contains("IN_" + c[0]), c[0] + ": the message names the input: " + body);
    }
  }

  /** A backend whose model returns each input {@code IN_<TYPE> [-1, 3]} as {@code OUT_<TYPE>}. */
  static final class Echo implements Backend {
    static final String PLATFORM = "ringserve_test_echo";

    @Override
    public String platform() {
      return PLATFORM;
    }

    @Override
    public String name() {
      return "echo";
    }

    @Override
    public String defaultModelFilename() {
      return "model.echo";
    }

    @Override
    public LoadedModel load(Path path, ModelConfig config, BackendOptions options) {
      List<TensorSpec> in = new ArrayList<>();
      List<TensorSpec> out = new ArrayList<>();
      for (String type : VALUES.keySet()) {
        in.add(new TensorSpec("IN_" + type, DataType.valueOf(type), new long[] {-1, 3}));
        out.add(new TensorSpec("OUT_" + type, DataType.valueOf(type), new long[] {-1, 3}));
      }
      return new LoadedModel() {
        @Override
        public List<TensorSpec> inputs() {
          return in;
        }

        @Override
        public List<TensorSpec> outputs() {
          return out;
        }

        @Override
        public ModelRunner newRunner() {
          return batch ->
              batch.inputs().stream().map(t -> t.renamed("OUT_" + t.name().substring(3))).toList();
        }

        @Override
        public void close() {}
      };
    }
  }
}
