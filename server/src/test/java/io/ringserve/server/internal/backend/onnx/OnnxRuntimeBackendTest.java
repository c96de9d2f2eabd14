package io.ringserve.server.internal.backend.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import com.google.protobuf.TextFormat;
import inference.ModelConfigOuterClass.DataType;
import inference.ModelConfigOuterClass.ModelConfig;
import io.ringserve.batching.Batch;
import io.ringserve.batching.ModelRunner;
import io.ringserve.batching.Tensor;
import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.backend.Backends;
import io.ringserve.server.internal.repository.ModelRepository;
import io.ringserve.server.internal.repository.ServedModel;
import io.ringserve.server.model.ModelLoadException;
import io.ringserve.server.testing.ExampleRepository;
import io.ringserve.server.testing.TestServers;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxRuntimeBackendTest {
  @TempDir Path repository;

  @Test
  void shouldNameItselfAsTritonDoes() {
    OnnxRuntimeBackend backend = new OnnxRuntimeBackend();

    assertEquals("onnxruntime_onnx", backend.platform());
    assertEquals("onnxruntime", backend.name());
    assertEquals("model.onnx", backend.defaultModelFilename());
    assertTrue(
        Backends.all(TestServers.pools()).stream().anyMatch(b -> b instanceof OnnxRuntimeBackend));
  }

  @Test
  void shouldOpenOneSessionPerInstanceWithTheCoresSplitAmongThemWhenAsked() throws Exception {
    ModelConfig config =
        config(
            "instance_group [ { count: 3 kind: KIND_CPU } ]\n"
                + "parameters { key: \"share_session_between_instances\""
                + " value: { string_value: \"false\" } }");
    try (OnnxModel model = load(simpleOnnx(), config)) {
      assertEquals(3, model.sessionCount());
      assertEquals(
          Math.max(1, Runtime.getRuntime().availableProcessors() / 3),
          model.options().intraOpThreads());
      assertRunnersAddAndSubtract(model, 4);
    }
  }

  @Test
  void shouldShareOneSessionWithEveryCoreAmongTheInstancesByDefault() throws Exception {
    ModelConfig config = config("instance_group [ { count: 2 }, { count: 1 kind: KIND_CPU } ]");
    try (OnnxModel model = load(simpleOnnx(), config)) {
      assertEquals(1, model.sessionCount());
      assertEquals(Runtime.getRuntime().availableProcessors(), model.options().intraOpThreads());
      assertRunnersAddAndSubtract(model, 3);
    }
  }

  @Test
  void shouldRunWithEverySessionSettingTheConfigSets() throws Exception {
    ModelConfig config =
        config(
            "optimization { graph { level: 2 } }\n"
                + "parameters { key: \"intra_op_thread_count\" value: { string_value: \"1\" } }\n"
                + "parameters { key: \"inter_op_thread_count\" value: { string_value: \"2\" } }\n"
                + "parameters { key: \"execution_mode\" value: { string_value: \"1\" } }\n"
                + "parameters { key: \"enable_mem_arena\" value: { string_value: \"0\" } }\n"
                + "parameters { key: \"enable_mem_pattern\" value: { string_value: \"0\" } }\n"
                + "parameters { key: \"session.intra_op.allow_spinning\""
                + " value: { string_value: \"0\" } }");
    try (OnnxModel model = load(simpleOnnx(), config)) {
      assertEquals(1, model.options().intraOpThreads());
      assertEquals(2, model.options().interOpThreads());
      assertRunnersAddAndSubtract(model, 1);
    }
  }

  @Test
  void shouldRefuseAGpuInstanceWithAClearErrorWhenOnnxRuntimeHasNoCuda() throws Exception {
    Assumptions.assumeFalse(
        OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA),
        "this build has the CUDA execution provider");
    ModelConfig config = config("instance_group [ { count: 1 kind: KIND_GPU gpus: [ 0 ] } ]");

    ModelLoadException error =
        assertThrows(ModelLoadException.class, () -> load(simpleOnnx(), config));

    assertTrue(error.getMessage().contains("KIND_GPU"), error.getMessage());
    assertTrue(error.getMessage().contains("no CUDA execution provider"), error.getMessage());
    assertTrue(error.getMessage().contains("-Pgpu"), error.getMessage());
    assertTrue(error.getMessage().contains(simpleOnnx().toString()), error.getMessage());
  }

  @Test
  void shouldPlaceGpuInstancesRoundRobinOverTheListedGpus() throws Exception {
    ModelConfig config =
        config(
            "instance_group [ { count: 1 kind: KIND_CPU },"
                + " { count: 3 kind: KIND_GPU gpus: [ 0, 2 ] }, { kind: KIND_GPU } ]");

    assertEquals(List.of(InstancePlan.CPU, 0, 2, 0, 0), InstancePlan.devices(config));
    assertEquals(List.of(InstancePlan.CPU), InstancePlan.devices(config("")));
  }

  @Test
  void shouldBeChosenByTheModelFileAndCompleteTheConfigFromTheGraph() throws Exception {
    // No config.pbtxt at all: the repository finds model.onnx and completes everything.
    copy(simpleOnnx(), repository.resolve("bare/1/model.onnx"));
    // backend: "onnxruntime" without a platform, and a batching config without tensors.
    copy(simpleOnnx(), repository.resolve("named/1/model.onnx"));
    Files.writeString(
        repository.resolve("named/config.pbtxt"),
        "backend: \"onnxruntime\"\nmax_batch_size: 8\n",
        StandardCharsets.UTF_8);
    try (ModelRepository models =
        new ModelRepository(
            repository, Backends.all(TestServers.pools()), BackendOptions.DEFAULT)) {
      models.loadAll();

      assertTrue(models.allLoaded(), models.index().toString());
      ModelConfig bare = models.resolve("bare", "").config();
      assertEquals("onnxruntime_onnx", bare.getPlatform());
      assertEquals(4, bare.getMaxBatchSize()); // Triton's default when every input batches
      assertTrue(bare.hasDynamicBatching());
      assertEquals(List.of(16L), bare.getInput(0).getDimsList());
      ServedModel named = models.resolve("named", "");
      assertEquals("onnxruntime_onnx", named.config().getPlatform());
      assertEquals(8, named.config().getMaxBatchSize());
      assertEquals(
          List.of("INPUT0", "INPUT1"),
          named.config().getInputList().stream().map(i -> i.getName()).toList());
      assertEquals(DataType.TYPE_INT32, named.config().getOutput(1).getDataType());
      assertEquals(List.of(16L), named.config().getOutput(1).getDimsList());
    }
  }

  private static Path simpleOnnx() {
    return ExampleRepository.path().resolve("simple_onnx/1/model.onnx");
  }

  private static void copy(Path from, Path to) throws Exception {
    Files.createDirectories(to.getParent());
    Files.copy(from, to);
  }

  private static OnnxModel load(Path file, ModelConfig config) throws ModelLoadException {
    return (OnnxModel) new OnnxRuntimeBackend().load(file, config, BackendOptions.DEFAULT);
  }

  /** Runs every instance's runner, one at a time, on simple_onnx's add and subtract. */
  private static void assertRunnersAddAndSubtract(OnnxModel model, int instances) throws Exception {
    List<ModelRunner> runners = new ArrayList<>();
    for (int i = 0; i < instances; i++) {
      runners.add(model.newRunner());
    }
    for (int r = 0; r < runners.size(); r++) {
      try (ModelRunner runner = runners.get(r)) {
        ByteBuffer a = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 16; i++) {
          a.putInt(i * r);
          b.putInt(i);
        }
        List<Tensor> outputs =
            runner.run(
                Batch.direct(
                    1,
                    List.of(
                        Tensor.of("INPUT0", io.ringserve.wire.DataType.INT32, shape(), a.flip()),
                        Tensor.of("INPUT1", io.ringserve.wire.DataType.INT32, shape(), b.flip())),
                    Set.of()));
        ByteBuffer sum = outputs.get(0).data();
        ByteBuffer difference = outputs.get(1).data();
        for (int i = 0; i < 16; i++) {
          assertEquals(i * r + i, sum.getInt(), "runner " + r);
          assertEquals(i * r - i, difference.getInt(), "runner " + r);
        }
      }
    }
  }

  private static long[] shape() {
    return new long[] {1, 16};
  }

  private static ModelConfig config(String text) throws TextFormat.ParseException {
    ModelConfig.Builder config = ModelConfig.newBuilder();
    TextFormat.merge("name: \"simple_onnx\"\n" + text, config);
    return config.build();
  }
}
