package io.ringserve.server.internal.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.batching.Batch;
import io.ringserve.batching.InferenceException;
import io.ringserve.batching.ModelRunner;
import io.ringserve.batching.Tensor;
import io.ringserve.server.internal.backend.tensorflow.TensorFlowOptions;
import io.ringserve.server.internal.backend.tensorflow.TensorFlowSavedModel;
import io.ringserve.server.model.TensorSpec;
import io.ringserve.server.testing.ExampleRepository;
import io.ringserve.wire.DataType;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ExampleModelsTest {
  private static Path repository;

  @BeforeAll
  static void writeExamples() {
    // The test JVM's one copy, written by ExampleModels.writeTo.
    repository = ExampleRepository.path();
  }

  @Test
  void shouldWriteEveryModelInTritonLayout() {
    for (String model : ExampleModels.NAMES) {
      assertTrue(Files.isRegularFile(repository.resolve(model).resolve("config.pbtxt")), model);
      assertTrue(
          Files.isRegularFile(
                  repository.resolve(model).resolve("1/model.savedmodel/saved_model.pb"))
              || Files.isRegularFile(repository.resolve(model).resolve("1/model.onnx")),
          model);
    }
    assertTrue(Files.isRegularFile(repository.resolve("mlp_onnx/1/model.onnx")));
    assertTrue(Files.isRegularFile(repository.resolve("simple_onnx/1/model.onnx")));
  }

  @Test
  void shouldWriteOnnxConfigsWithTheOnnxRuntimePlatform() throws Exception {
    String simple = Files.readString(repository.resolve("simple_onnx/config.pbtxt"));
    String mlp = Files.readString(repository.resolve("mlp_onnx/config.pbtxt"));

    assertTrue(simple.contains("platform: \"onnxruntime_onnx\"\n"), simple);
    assertTrue(simple.contains("max_batch_size: 8\n"), simple);
    assertTrue(simple.contains("data_type: TYPE_INT32"), simple);
    assertTrue(mlp.contains("platform: \"onnxruntime_onnx\"\n"), mlp);
    assertTrue(mlp.contains("max_batch_size: 128\n"), mlp);
    assertTrue(mlp.contains("dims: [ 784 ]"), mlp);
    assertTrue(mlp.contains("dynamic_batching { }\n"), mlp);
  }

  @Test
  void shouldWriteTheSimpleConfigAsTritonDoes() throws Exception {
    String config = Files.readString(repository.resolve("simple/config.pbtxt"));

    assertTrue(config.contains("name: \"simple\"\n"), config);
    assertTrue(config.contains("platform: \"tensorflow_savedmodel\"\n"), config);
    assertTrue(config.contains("max_batch_size: 8\n"), config);
    assertTrue(
        config.contains(
            "input [\n  {\n    name: \"INPUT0\"\n    data_type: TYPE_INT32\n    dims: [ 16 ]\n  },"),
        config);
    assertTrue(config.contains("name: \"OUTPUT1\"\n    data_type: TYPE_INT32"), config);
    // Batches dynamically, unlike Triton's quickstart config: the per-call engine cost dominates.
    assertTrue(config.contains("dynamic_batching { }\n"), config);
  }

  @Test
  void shouldWriteStringAndBatchingConfigs() throws Exception {
    String strings = Files.readString(repository.resolve("simple_string/config.pbtxt"));
    String mlp = Files.readString(repository.resolve("mlp/config.pbtxt"));

    assertTrue(strings.contains("data_type: TYPE_STRING"), strings);
    assertTrue(mlp.contains("max_batch_size: 128\n"), mlp);
    assertTrue(mlp.contains("dims: [ 784 ]"), mlp);
    assertTrue(mlp.contains("dims: [ 10 ]"), mlp);
    assertTrue(mlp.contains("dynamic_batching { }\n"), mlp);
    assertTrue(
        mlp.contains(
            "parameters { key: \"split_sessions_at_batch_sizes\" value: { string_value: \"7,81\" } }"),
        mlp);
  }

  @Test
  void shouldAddAndSubtractInSimple() throws Exception {
    try (TensorFlowSavedModel model = load("simple");
        ModelRunner runner = model.newRunner()) {
      assertEquals(
          List.of(
              new TensorSpec("INPUT0", DataType.INT32, new long[] {-1, 16}),
              new TensorSpec("INPUT1", DataType.INT32, new long[] {-1, 16})),
          model.inputs());
      int[] a = new int[32];
      int[] b = new int[32];
      for (int i = 0; i < 32; i++) {
        a[i] = i;
        b[i] = i % 3 == 0 ? -1 : 1;
      }

      List<Tensor> outputs =
          runner.run(Batch.direct(2, List.of(ints("INPUT0", a), ints("INPUT1", b)), Set.of()));

      assertEquals(List.of("OUTPUT0", "OUTPUT1"), outputs.stream().map(Tensor::name).toList());
      int[] sum = new int[32];
      int[] difference = new int[32];
      for (int i = 0; i < 32; i++) {
        sum[i] = a[i] + b[i];
        difference[i] = a[i] - b[i];
      }
      assertArrayEquals(new long[] {2, 16}, outputs.get(0).shape());
      assertArrayEquals(sum, toInts(outputs.get(0)));
      assertArrayEquals(difference, toInts(outputs.get(1)));
    }
  }

  @Test
  void shouldReturnOnlyTheRequestedOutputOfSimple() throws Exception {
    try (TensorFlowSavedModel model = load("simple");
        ModelRunner runner = model.newRunner()) {
      int[] a = new int[16];
      java.util.Arrays.fill(a, 5);

      List<Tensor> outputs =
          runner.run(
              Batch.direct(1, List.of(ints("INPUT0", a), ints("INPUT1", a)), Set.of("OUTPUT1")));

      assertEquals(1, outputs.size());
      assertEquals("OUTPUT1", outputs.get(0).name());
      assertArrayEquals(new int[16], toInts(outputs.get(0)));
    }
  }

  @Test
  void shouldAddAndSubtractDecimalStringsInSimpleString() throws Exception {
    try (TensorFlowSavedModel model = load("simple_string");
        ModelRunner runner = model.newRunner()) {
      String[] a = new String[16];
      String[] b = new String[16];
      for (int i = 0; i < 16; i++) {
        a[i] = Integer.toString(i * 1000 - 7);
        b[i] = Integer.toString(1);
      }

      List<Tensor> outputs =
          runner.run(
              Batch.direct(1, List.of(strings("INPUT0", a), strings("INPUT1", b)), Set.of()));

      List<String> sum = new ArrayList<>();
      List<String> difference = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        sum.add(Integer.toString(i * 1000 - 6));
        difference.add(Integer.toString(i * 1000 - 8));
      }
      assertEquals(DataType.BYTES, outputs.get(0).dataType());
      assertArrayEquals(new long[] {1, 16}, outputs.get(0).shape());
      assertEquals(sum, toStrings(outputs.get(0)));
      assertEquals(difference, toStrings(outputs.get(1)));
    }
  }

  @Test
  void shouldAnswerTextThatIsNoNumberAsInvalidInput() throws Exception {
    try (TensorFlowSavedModel model = load("simple_string");
        ModelRunner runner = model.newRunner()) {
      String[] a = new String[16];
      java.util.Arrays.fill(a, "12");
      String[] b = a.clone();
      b[3] = "twelve";
      Batch batch = Batch.direct(1, List.of(strings("INPUT0", a), strings("INPUT1", b)), Set.of());

      InferenceException error = assertThrows(InferenceException.class, () -> runner.run(batch));

      assertEquals(InferenceException.Reason.INVALID_INPUT, error.reason());
      assertTrue(error.getMessage().contains("twelve"), error.getMessage());
    }
  }

  private static TensorFlowSavedModel load(String name) throws Exception {
    return TensorFlowSavedModel.load(
        repository.resolve(name).resolve("1/model.savedmodel"), TensorFlowOptions.DEFAULTS);
  }

  private static Tensor ints(String name, int[] values) {
    ByteBuffer data = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int value : values) {
      data.putInt(value);
    }
    return Tensor.of(name, DataType.INT32, new long[] {values.length / 16, 16}, data.flip());
  }

  private static int[] toInts(Tensor tensor) {
    int[] values = new int[(int) tensor.elementCount()];
    tensor.data().asIntBuffer().get(values);
    return values;
  }

  private static Tensor strings(String name, String[] values) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String value : values) {
      byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
      out.writeBytes(
          ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(bytes.length).array());
      out.writeBytes(bytes);
    }
    return Tensor.of(
        name,
        DataType.BYTES,
        new long[] {values.length / 16, 16},
        ByteBuffer.wrap(out.toByteArray()));
  }

  private static List<String> toStrings(Tensor tensor) {
    ByteBuffer data = tensor.data();
    List<String> values = new ArrayList<>();
    while (data.hasRemaining()) {
      byte[] bytes = new byte[data.getInt()];
      data.get(bytes);
      values.add(new String(bytes, StandardCharsets.UTF_8));
    }
    return values;
  }
}
