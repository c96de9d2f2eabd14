package io.ringserve.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inference.GrpcService.ModelMetadataResponse;
import inference.GrpcService.ModelStatistics;
import inference.GrpcService.RepositoryIndexResponse.ModelIndex;
import inference.ModelConfigOuterClass.ModelConfig;
import io.grpc.Status;
import io.ringserve.server.testing.TestServers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every unary call of {@link RingServeClient} against a real server on 127.0.0.1. */
class RingServeClientTest {
  private static RingServeClient client;

  @BeforeAll
  static void connect() {
    client = RingServeClient.connect(TestServers.shared().target());
  }

  @AfterAll
  static void close() {
    client.close();
  }

  @Test
  void shouldReportServerLiveAndReady() {
    assertTrue(client.isServerLive());
    assertTrue(client.isServerReady());
  }

  @Test
  void shouldReportModelReadinessByName() {
    assertTrue(client.isModelReady("simple"));
    assertTrue(client.isModelReady("mlp", "1"));
    assertFalse(client.isModelReady("simple", "7"));
  }

  @Test
  void shouldReturnServerMetadata() {
    assertEquals("ringserve", client.serverMetadata().getName());
    assertTrue(client.serverMetadata().getExtensionsList().contains("statistics"));
  }

  @Test
  void shouldReturnModelMetadata() {
    ModelMetadataResponse meta = client.modelMetadata("simple");
    assertEquals("simple", meta.getName());
    assertEquals(
        List.of("INPUT0", "INPUT1"),
        meta.getInputsList().stream().map(t -> t.getName()).sorted().toList());
    assertEquals("INT32", meta.getInputs(0).getDatatype());
  }

  @Test
  void shouldReturnModelConfig() {
    ModelConfig config = client.modelConfig("mlp");
    assertEquals(128, config.getMaxBatchSize());
    assertEquals("INPUT0", config.getInput(0).getName());
  }

  @Test
  void shouldCountInferencesInStatistics() {
    long before = inferenceCount("simple");
    client.infer(SimpleModel.request(1));
    assertEquals(before + 1, inferenceCount("simple"));
    List<String> all =
        client.modelStatistics().getModelStatsList().stream()
            .map(ModelStatistics::getName)
            .toList();
    assertTrue(all.containsAll(List.of("simple", "simple_string", "mlp")), all.toString());
  }

  @Test
  void shouldListRepositoryModels() {
    List<ModelIndex> models = client.repositoryIndex(false);
    List<String> names = models.stream().map(ModelIndex::getName).toList();
    assertTrue(names.containsAll(List.of("mlp", "simple", "simple_string")), names.toString());
    assertTrue(models.stream().allMatch(m -> m.getState().equals("READY")), models.toString());
    assertEquals(models.size(), client.repositoryIndex(true).size());
  }

  @Test
  void shouldSurfaceRefusedRepositoryControlAsRingServeException() {
    // The shared server runs in model control mode none, which refuses loads as Triton does.
    RingServeException e = assertThrows(RingServeException.class, () -> client.loadModel("simple"));
    assertEquals(Status.Code.UNAVAILABLE, e.code());
    e = assertThrows(RingServeException.class, () -> client.unloadModel("simple"));
    assertEquals(Status.Code.UNAVAILABLE, e.code());
  }

  @Test
  void shouldInferSimpleBlocking() {
    InferResult result = client.infer(SimpleModel.request(5));
    SimpleModel.check(5, result);
    assertEquals("simple", result.model());
    assertEquals("1", result.version());
  }

  @Test
  void shouldInferWithTypedContents() {
    InferRequest typed = SimpleModel.request(9).toBuilder().typedContents().build();
    SimpleModel.check(9, client.infer(typed));
  }

  @Test
  void shouldReturnOnlyRequestedOutputs() {
    InferResult result = client.infer(SimpleModel.request(3).toBuilder().output("OUTPUT1").build());
    assertEquals(List.of("OUTPUT1"), List.copyOf(result.outputs().keySet()));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> result.output("OUTPUT0"));
    assertTrue(e.getMessage().contains("OUTPUT0"), e.getMessage());
  }

  @Test
  void shouldInferStringsAsBytes() {
    String[] a = new String[16];
    String[] b = new String[16];
    for (int i = 0; i < 16; i++) {
      a[i] = Integer.toString(i);
      b[i] = "1";
    }
    InferResult result =
        client.infer(
            InferRequest.builder("simple_string")
                .input(Tensor.of("INPUT0", a, 1, 16))
                .input(Tensor.of("INPUT1", b, 1, 16))
                .build());
    String[] sum = result.output("OUTPUT0").asStrings();
    String[] difference = result.output("OUTPUT1").asStrings();
    for (int i = 0; i < 16; i++) {
      assertEquals(i + 1, Integer.parseInt(sum[i].strip()), "sum " + i);
      assertEquals(i - 1, Integer.parseInt(difference[i].strip()), "difference " + i);
    }
  }

  @Test
  void shouldInferMlpBatchAsSoftmaxRows() {
    float[] pixels = new float[3 * 784];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (i % 255) / 255f;
    }
    InferRequest request =
        InferRequest.builder("mlp").input(Tensor.of("INPUT0", pixels, 3, 784)).build();
    Tensor out = client.infer(request).output("OUTPUT0");
    assertArrayEquals(new long[] {3, 10}, out.shape());
    float[] probabilities = out.asFloats();
    for (int row = 0; row < 3; row++) {
      double sum = 0;
      for (int k = 0; k < 10; k++) {
        float p = probabilities[row * 10 + k];
        assertTrue(p >= 0 && p <= 1, "probability " + p);
        sum += p;
      }
      assertEquals(1.0, sum, 1e-4, "row " + row);
    }
    assertArrayEquals(probabilities, client.infer(request).output("OUTPUT0").asFloats());
  }

  @Test
  void shouldInferAsynchronously() throws Exception {
    InferResult result = client.inferAsync(SimpleModel.request(11)).get(30, TimeUnit.SECONDS);
    SimpleModel.check(11, result);
  }

  @Test
  void shouldFailUnknownModelWithNotFound() {
    RingServeException e =
        assertThrows(
            RingServeException.class,
            () ->
                client.infer(
                    InferRequest.builder("nope").input(Tensor.of("X", new int[] {1}, 1)).build()));
    assertEquals(Status.Code.NOT_FOUND, e.code());
    assertTrue(e.getMessage().contains("nope"), e.getMessage());
  }

  @Test
  void shouldFailWrongShapeWithInvalidArgumentFromServer() {
    InferRequest request =
        InferRequest.builder("simple")
            .input(Tensor.of("INPUT0", new int[8], 1, 8))
            .input(Tensor.of("INPUT1", new int[8], 1, 8))
            .build();
    RingServeException e = assertThrows(RingServeException.class, () -> client.infer(request));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.code());
    ExecutionException async =
        assertThrows(
            ExecutionException.class, () -> client.inferAsync(request).get(30, TimeUnit.SECONDS));
    assertEquals(Status.Code.INVALID_ARGUMENT, ((RingServeException) async.getCause()).code());
  }

  @Test
  void shouldFailWithDeadlineExceededWhenTheDeadlineIsTooShort() {
    RingServeException e =
        assertThrows(
            RingServeException.class,
            () -> client.infer(SimpleModel.request(0), Duration.ofNanos(1)));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.code());
  }

  @Test
  void shouldFailUnreachableServerWithUnavailable() {
    try (RingServeClient dead =
        RingServeClient.builder()
            .target("127.0.0.1:1")
            .retryPolicy(RetryPolicy.NONE)
            .defaultDeadline(Duration.ofSeconds(10))
            .build()) {
      RingServeException e = assertThrows(RingServeException.class, dead::isServerLive);
      assertEquals(Status.Code.UNAVAILABLE, e.code());
      // Says why, not only gRPC's "io exception".
      assertTrue(e.getMessage().contains("Connection refused"), e.getMessage());
    }
  }

  @Test
  void shouldRejectCallsAfterClose() {
    RingServeClient closed = RingServeClient.connect(TestServers.shared().target());
    closed.close();
    assertTrue(closed.channel().isTerminated());
    assertThrows(RingServeException.class, closed::isServerLive);
  }

  private static long inferenceCount(String model) {
    return client.modelStatistics(model, "").getModelStatsList().stream()
        .mapToLong(ModelStatistics::getInferenceCount)
        .sum();
  }
}
