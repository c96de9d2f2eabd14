package io.ringserve.server.internal.backend.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inference.ModelConfigOuterClass.ModelConfig;
import io.ringserve.batching.Batch;
import io.ringserve.batching.InferenceException;
import io.ringserve.batching.ModelRunner;
import io.ringserve.batching.Tensor;
import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.model.ModelLoadException;
import io.ringserve.server.model.TensorSpec;
import io.ringserve.wire.DataType;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxRunnerTest {
  /** Every type ONNX Runtime Java 1.23 can feed and fetch. */
  private static final List<DataType> TYPES =
      List.of(
          DataType.BOOL,
          DataType.UINT8,
          DataType.INT8,
          DataType.INT16,
          DataType.INT32,
          DataType.INT64,
          DataType.FP16,
          DataType.BF16,
          DataType.FP32,
          DataType.FP64,
          DataType.BYTES);

  @TempDir static Path dir;
  private static OnnxModel model;

  @BeforeAll
  static void loadIdentityModel() throws Exception {
    Path file = TestOnnxModels.identities(dir.resolve("identity/model.onnx"), TYPES);
    model = load(file);
  }

  private static OnnxModel load(Path file) throws ModelLoadException {
    return (OnnxModel)
        new OnnxRuntimeBackend()
            .load(file, ModelConfig.getDefaultInstance(), BackendOptions.DEFAULT);
  }

  @AfterAll
  static void closeModel() {
    model.close();
  }

  @Test
  void shouldDeclareInputsAndOutputsInGraphOrder() {
    assertEquals(
        TYPES.stream().map(t -> "IN_" + t).toList(),
        model.inputs().stream().map(TensorSpec::name).toList());
    assertEquals(
        TYPES.stream().map(t -> "OUT_" + t).toList(),
        model.outputs().stream().map(TensorSpec::name).toList());
    assertEquals(
        new TensorSpec("IN_FP16", DataType.FP16, new long[] {-1, 3}), model.inputs().get(6));
  }

  @Test
  void shouldRoundTripEveryTypeBitForBit() throws Exception {
    assertRoundTrips(inputs(2, false, new Random(42)));
  }

  @Test
  void shouldRoundTripInputsThatAreAlreadyInDirectBuffers() throws Exception {
    assertRoundTrips(inputs(2, true, new Random(43)));
  }

  @Test
  void shouldReuseInputBuffersAcrossBatchesOfOtherSizes() throws Exception {
    Random random = new Random(44);
    try (ModelRunner runner = model.newRunner()) {
      for (int rows : new int[] {3, 1, 5, 2}) {
        List<Tensor> inputs = inputs(rows, false, random);
        assertSameAsInputs(inputs, runner.run(Batch.direct(rows, inputs, Set.of())));
      }
    }
  }

  @Test
  void shouldReturnOnlyTheRequestedOutputsInGraphOrder() throws Exception {
    List<Tensor> inputs = inputs(1, false, new Random(45));
    try (ModelRunner runner = model.newRunner()) {
      List<Tensor> outputs =
          runner.run(Batch.direct(1, inputs, Set.of("OUT_FP64", "OUT_BOOL", "OUT_BYTES")));

      assertEquals(
          List.of("OUT_BOOL", "OUT_FP64", "OUT_BYTES"),
          outputs.stream().map(Tensor::name).toList());
    }
  }

  @Test
  void shouldAnswerInputsThatDoNotFitAsInvalidInput() throws Exception {
    List<Tensor> inputs = inputs(1, false, new Random(46));
    List<Tensor> missing = inputs.subList(1, inputs.size());
    List<Tensor> wrongType = new ArrayList<>(inputs);
    wrongType.set(4, inputs.get(8).renamed("IN_INT32")); // FP32 data where INT32 belongs
    List<Tensor> wrongShape = new ArrayList<>(inputs);
    wrongShape.set(4, inputs.get(4).reshaped(new long[] {3, 1}));
    List<Tensor> unknown = new ArrayList<>(inputs);
    unknown.add(inputs.get(4).renamed("IN_NOPE"));
    try (ModelRunner runner = model.newRunner()) {
      assertInvalid(runner, Batch.direct(1, missing, Set.of()), "input 'IN_BOOL' is missing");
      assertInvalid(
          runner,
          Batch.direct(1, wrongType, Set.of()),
          "input 'IN_INT32' has datatype FP32 but the model expects INT32");
      assertInvalid(
          runner,
          Batch.direct(3, wrongShape, Set.of()),
          "input 'IN_INT32' has shape [3, 1] but the model expects [-1, 3]");
      assertInvalid(runner, Batch.direct(1, unknown, Set.of()), "input 'IN_NOPE' is not an input");
      assertInvalid(
          runner,
          Batch.direct(1, inputs, Set.of("OUT_NOPE")),
          "requested output 'OUT_NOPE' is not an output");
      // The runner still works after refusing.
      assertSameAsInputs(inputs, runner.run(Batch.direct(1, inputs, Set.of())));
    }
  }

  @Test
  void shouldAnswerStringsThatAreNotUtf8AsInvalidInput() throws Exception {
    Path file =
        TestOnnxModels.identities(dir.resolve("strings/model.onnx"), List.of(DataType.BYTES));
    ByteBuffer data = ByteBuffer.allocate(3 * 5).order(ByteOrder.LITTLE_ENDIAN);
    data.putInt(1).put((byte) 'a').putInt(1).put((byte) 0xC3).putInt(1).put((byte) 'b');
    Tensor bad = Tensor.of("IN_BYTES", DataType.BYTES, new long[] {1, 3}, data.flip());
    try (OnnxModel strings = load(file);
        ModelRunner runner = strings.newRunner()) {
      assertInvalid(
          runner,
          Batch.direct(1, List.of(bad), Set.of()),
          "input 'IN_BYTES' element 1 is not valid UTF-8");
    }
  }

  @Test
  void shouldRefuseAtLoadATypeOnnxRuntimeJavaCannotFeed() throws Exception {
    Path file =
        TestOnnxModels.identities(dir.resolve("uint16/model.onnx"), List.of(DataType.UINT16));

    ModelLoadException error = assertThrows(ModelLoadException.class, () -> load(file));

    assertTrue(error.getMessage().contains("input 'IN_UINT16'"), error.getMessage());
    assertTrue(error.getMessage().contains("cannot feed or fetch"), error.getMessage());
  }

  @Test
  void shouldRefuseAFileThatIsNoOnnxModelNamingIt() throws Exception {
    Path file = Files.writeString(dir.resolve("garbage.onnx"), "not a model");

    ModelLoadException error = assertThrows(ModelLoadException.class, () -> load(file));

    assertTrue(error.getMessage().contains(file.toString()), error.getMessage());
  }

  private static void assertInvalid(ModelRunner runner, Batch batch, String message) {
    InferenceException error = assertThrows(InferenceException.class, () -> runner.run(batch));
    assertEquals(InferenceException.Reason.INVALID_INPUT, error.reason(), error.getMessage());
    assertTrue(error.getMessage().contains(message), error.getMessage());
  }

  private static void assertRoundTrips(List<Tensor> inputs) throws Exception {
    try (ModelRunner runner = model.newRunner()) {
      assertSameAsInputs(inputs, runner.run(Batch.direct(inputs.get(0).dim(0), inputs, Set.of())));
    }
  }

  private static void assertSameAsInputs(List<Tensor> inputs, List<Tensor> outputs) {
    assertEquals(inputs.size(), outputs.size());
    for (int i = 0; i < outputs.size(); i++) {
      Tensor input = inputs.get(i);
      Tensor output = outputs.get(i);
      assertEquals("OUT_" + input.dataType(), output.name());
      assertEquals(input.dataType(), output.dataType(), output.name());
      assertArrayEquals(input.shape(), output.shape(), output.name());
      assertArrayEquals(bytes(input), bytes(output), output.name());
    }
  }

  /** One [rows, 3] input per type, with random bits (BOOL 0 or 1, BYTES random UTF-8 text). */
  private static List<Tensor> inputs(int rows, boolean direct, Random random) {
    List<Tensor> inputs = new ArrayList<>();
    for (DataType type : TYPES) {
      ByteBuffer data = randomData(type, rows * 3, random);
      if (direct) {
        ByteBuffer copy = ByteBuffer.allocateDirect(data.remaining());
        data = copy.put(data).flip();
      }
      inputs.add(Tensor.of("IN_" + type, type, new long[] {rows, 3}, data));
    }
    return inputs;
  }

  private static ByteBuffer randomData(DataType type, int count, Random random) {
    if (type == DataType.BYTES) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (int i = 0; i < count; i++) {
        byte[] text = ("é" + random.nextInt() + "\u2603").getBytes(StandardCharsets.UTF_8);
        out.writeBytes(
            ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(text.length).array());
        out.writeBytes(text);
      }
      return ByteBuffer.wrap(out.toByteArray());
    }
    byte[] bytes = new byte[count * type.byteSize()];
    random.nextBytes(bytes);
    if (type == DataType.BOOL) {
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] &= 1;
      }
    }
    return ByteBuffer.wrap(bytes);
  }

  private static byte[] bytes(Tensor tensor) {
    ByteBuffer data = tensor.data();
    byte[] bytes = new byte[data.remaining()];
    data.get(bytes);
    return bytes;
  }
}
