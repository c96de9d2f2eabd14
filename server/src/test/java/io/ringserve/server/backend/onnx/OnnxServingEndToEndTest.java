package io.ringserve.server.backend.onnx;

import static io.ringserve.server.WireTensors.floats;
import static io.ringserve.server.WireTensors.input;
import static io.ringserve.server.WireTensors.readFloats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferResponse;
import inference.GrpcService.ModelStatistics;
import inference.GrpcService.ModelStatisticsRequest;
import io.ringserve.server.ServerFixture;
import io.ringserve.server.SharedExampleServer;
import io.ringserve.server.WireTensors;
import io.ringserve.server.examples.MlpReference;
import io.ringserve.server.examples.MlpWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Dynamic batching and statistics through the whole server for {@code mlp_onnx}: concurrent callers
 * share ONNX Runtime executions yet each gets its own rows, and the statistics count both.
 */
class OnnxServingEndToEndTest {

  @Test
  void shouldBatch64ConcurrentMlpOnnxCallersAndGiveEachItsOwnOutput() throws Exception {
    ServerFixture server = SharedExampleServer.get();
    MlpReference reference = new MlpReference(MlpWeights.generate(MlpWeights.DEFAULT_SEED));
    ModelStatistics before = statistics(server, "mlp_onnx");
    int callers = 64;
    int requestsEach = 4;
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      // Each caller keeps its inputs and outputs; the reference check runs after the load, so
      // that the callers send back to back.
      List<Future<List<float[][]>>> calls = new ArrayList<>();
      for (int c = 0; c < callers; c++) {
        long seed = 1000 + c;
        calls.add(pool.submit(() -> callMlpOnnx(server, new SplittableRandom(seed), requestsEach)));
      }
      for (Future<List<float[][]>> call : calls) {
        for (float[][] pair : call.get(120, TimeUnit.SECONDS)) {
          double[] expected = reference.apply(pair[0]);
          assertEquals(10, pair[1].length);
          for (int k = 0; k < 10; k++) {
            assertEquals(expected[k], pair[1][k], 1e-5);
          }
        }
      }
    } finally {
      pool.shutdownNow();
    }
    ModelStatistics after = statistics(server, "mlp_onnx");
    long inferences = after.getInferenceCount() - before.getInferenceCount();
    long executions = after.getExecutionCount() - before.getExecutionCount();
    assertEquals(callers * requestsEach, inferences);
    assertEquals(
        callers * requestsEach,
        after.getInferenceStats().getSuccess().getCount()
            - before.getInferenceStats().getSuccess().getCount());
    assertTrue(
        executions * 4 <= inferences,
        "expected at most a quarter as many executions as inferences, got "
            + executions
            + " for "
            + inferences);
    assertTrue(
        after.getInferenceStats().getComputeInfer().getNs()
            > before.getInferenceStats().getComputeInfer().getNs());
  }

  private static List<float[][]> callMlpOnnx(
      ServerFixture server, SplittableRandom random, int requests) {
    List<float[][]> pairs = new ArrayList<>();
    for (int r = 0; r < requests; r++) {
      float[] x = new float[784];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) random.nextDouble();
      }
      ModelInferResponse response =
          server
              .stub()
              .modelInfer(
                  ModelInferRequest.newBuilder()
                      .setModelName("mlp_onnx")
                      .addInputs(input("INPUT0", "FP32", 1, 784))
                      .addRawInputContents(floats(x))
                      .build());
      pairs.add(new float[][] {x, readFloats(WireTensors.output(response, "OUTPUT0"))});
    }
    return pairs;
  }

  private static ModelStatistics statistics(ServerFixture server, String model) {
    return server
        .stub()
        .modelStatistics(ModelStatisticsRequest.newBuilder().setName(model).build())
        .getModelStats(0);
  }
}
