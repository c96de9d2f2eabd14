package io.ringserve.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringserve.server.internal.examples.MlpReference;
import io.ringserve.server.internal.examples.MlpWeights;
import io.ringserve.server.testing.TestServers;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * REST callers share the gRPC path's batcher: 64 concurrent HTTP callers of {@code mlp}, with
 * binary tensors, each get their own output, in a quarter as many executions as inferences or
 * fewer.
 */
class RestBatchingEndToEndTest {
  @Test
  void shouldBatch64ConcurrentHttpCallersAndGiveEachItsOwnOutput() throws Exception {
    RestCalls rest = new RestCalls(TestServers.shared().httpBase());
    MlpReference reference = new MlpReference(MlpWeights.generate(MlpWeights.DEFAULT_SEED));
    int callers = 64;
    int requestsEach = 8;
    List<float[]> inputs = new ArrayList<>();
    List<byte[]> bodies = new ArrayList<>();
    String headerLength = null;
    for (int c = 0; c < callers; c++) {
      float[] pixels = new float[784];
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = ((i * 31 + c * 7) % 101) / 101f;
      }
      inputs.add(pixels);
      byte[] json = binaryRequestHeader();
      headerLength = Integer.toString(json.length);
      bodies.add(withBinaryInput(json, pixels));
    }
    // Built beforehand and sent over connections already open (a first round, not counted), so
    // that the callers' requests reach the server together, as concurrent callers' do: a warm
    // server answers a request faster than the client could build the next body or connect.
    sendRoundAndCheck(rest, bodies, headerLength, inputs, reference);
    long[] before = counts(rest);
    for (int round = 0; round < requestsEach; round++) {
      sendRoundAndCheck(rest, bodies, headerLength, inputs, reference);
    }
    long total = (long) callers * requestsEach;
    long[] after = counts(rest);
    for (int i = 0; i < 500 && after[0] - before[0] < total; i++) {
      Thread.sleep(10); // successes are counted just after the answers leave
      after = counts(rest);
    }
    long inferences = after[0] - before[0];
    long executions = after[1] - before[1];
    assertEquals(total, inferences);
    assertTrue(
        executions * 4 <= inferences,
        "expected at most a quarter as many executions as inferences, got "
            + executions
            + " for "
            + inferences);
  }

  /** Sends every caller's request at once, then checks each answer against the reference. */
  private static void sendRoundAndCheck(
      RestCalls rest,
      List<byte[]> bodies,
      String headerLength,
      List<float[]> inputs,
      MlpReference reference)
      throws Exception {
    List<CompletableFuture<HttpResponse<byte[]>>> answers = new ArrayList<>();
    for (byte[] body : bodies) {
      answers.add(RestCallsAsync.post(rest, "/v2/models/mlp/infer", body, headerLength));
    }
    for (int c = 0; c < answers.size(); c++) {
      HttpResponse<byte[]> r = answers.get(c).get(120, TimeUnit.SECONDS);
      assertEquals(200, r.statusCode());
      float[] out = new float[10];
      ByteBuffer.wrap(RestCalls.binaryOutput(r, "OUTPUT0"))
          .order(ByteOrder.LITTLE_ENDIAN)
          .asFloatBuffer()
          .get(out);
      double[] expected = reference.apply(inputs.get(c));
      for (int k = 0; k < 10; k++) {
        assertEquals(expected[k], out[k], 1e-5, "caller " + c);
      }
    }
  }

  /** The JSON header of a one-row binary {@code INPUT0} request asking for a binary output. */
  private static byte[] binaryRequestHeader() {
    ObjectNode header = RestCalls.object();
    ObjectNode in =
        header.putArray("inputs").addObject().put("name", "INPUT0").put("datatype", "FP32");
    in.putArray("shape").add(1).add(784);
    in.putObject("parameters").put("binary_data_size", 784 * 4);
    header.putObject("parameters").put("binary_data_output", true);
    return RestCalls.bytes(header);
  }

  private static byte[] withBinaryInput(byte[] json, float[] pixels) {
    ByteBuffer body = ByteBuffer.allocate(json.length + pixels.length * 4);
    body.put(json).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(pixels);
    return body.array();
  }

  private static long[] counts(RestCalls rest) {
    JsonNode model = RestCalls.json(rest.get("/v2/models/mlp/stats")).get("model_stats").get(0);
    return new long[] {
      model.get("inference_count").asLong(), model.get("execution_count").asLong()
    };
  }

  /** Sends without waiting, so that all callers are in flight at once. */
  private static final class RestCallsAsync {
    static CompletableFuture<HttpResponse<byte[]>> post(
        RestCalls rest, String path, byte[] body, String headerLength) {
      return RestCalls.CLIENT.sendAsync(
          rest.request(path)
              .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body))
              .header(RestCalls.HEADER_LENGTH, headerLength)
              .build(),
          HttpResponse.BodyHandlers.ofByteArray());
    }
  }
}
