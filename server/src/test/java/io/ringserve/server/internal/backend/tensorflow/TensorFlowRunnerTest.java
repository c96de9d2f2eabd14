package io.ringserve.server.internal.backend.tensorflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.batching.Batch;
import io.ringserve.batching.InferenceException;
import io.ringserve.batching.ModelRunner;
import io.ringserve.batching.Tensor;
import io.ringserve.wire.DataType;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.types.family.TType;

class TensorFlowRunnerTest {
  /** Every type TensorFlow Java 1.1.0 can feed and fetch. */
  private static final List<DataType> TYPES =
      List.of(
          DataType.BOOL,
          DataType.UINT8,
          DataType.UINT16,
          DataType.INT32,
          DataType.INT64,
          DataType.FP16,
          DataType.BF16,
          DataType.FP32,
          DataType.FP64,
          DataType.BYTES);

  @TempDir static Path dir;
  private static TensorFlowSavedModel model;

  @BeforeAll
  static void loadIdentityModel() throws Exception {
    Map<String, Class<? extends TType>> classes = new LinkedHashMap<>();
    for (DataType type : TYPES) {
      classes.put(type.name(), TensorFlowTypes.tensorClass(type));
    }
    TestSavedModels.identities(dir.resolve("identity"), classes);
    model = TensorFlowSavedModel.load(dir.resolve("identity"), TensorFlowOptions.DEFAULTS);
  }

  @AfterAll
  static void closeModel() {
    model.close();
  }

  @Test
  void shouldRoundTripEveryTypeBitForBit() throws Exception {
    Random random = new Random(42);
    List<Tensor> inputs = new ArrayList<>();
    for (DataType type : TYPES) {
      inputs.add(Tensor.of("IN_" + type, type, new long[] {2, 3}, randomData(type, 6, random)));
    }
    try (ModelRunner runner = model.newRunner()) {
      List<Tensor> outputs = runner.run(Batch.direct(2, inputs, Set.of()));

      assertEquals(TYPES.size(), outputs.size());
      for (int i = 0; i < outputs.size(); i++) {
        Tensor output = outputs.get(i);
        Tensor input = inputs.get(TYPES.indexOf(DataType.valueOf(output.name().substring(4))));
        assertEquals(input.dataType(), output.dataType(), output.name());
        assertArrayEquals(input.shape(), output.shape(), output.name());
        assertArrayEquals(bytes(input), bytes(output), output.name());
      }
    }
  }

  @Test
  void shouldReturnOutputsSortedByKey() throws Exception {
    List<String> names = new ArrayList<>();
    model.outputs().forEach(spec -> names.add(spec.name()));
    List<String> sorted = new ArrayList<>(names);
    sorted.sort(null);

    assertEquals(sorted, names);
    try (ModelRunner runner = model.newRunner()) {
      List<String> returned = new ArrayList<>();
      runner.run(Batch.direct(1, allInputs(1), Set.of())).forEach(t -> returned.add(t.name()));
      assertEquals(names, returned);
    }
  }

  @Test
  void shouldReturnOnlyTheRequestedOutputs() throws Exception {
    try (ModelRunner runner = model.newRunner()) {
      List<Tensor> outputs = runner.run(Batch.direct(1, allInputs(1), Set.of("OUT_FP32")));

      assertEquals(1, outputs.size());
      assertEquals("OUT_FP32", outputs.get(0).name());
    }
  }

  @Test
  void shouldMarkInputsReadyAndInferenceDone() throws Exception {
    Batch batch = Batch.direct(1, allInputs(1), Set.of("OUT_INT32"));
    try (ModelRunner runner = model.newRunner()) {
      runner.run(batch);
    }
    assertTrue(batch.inputsReadyNanos() != 0);
    assertTrue(batch.inferenceDoneNanos() - batch.inputsReadyNanos() >= 0);
  }

  @Test
  void shouldPassOnTensorFlowsReasonWithoutNodeNamesOrStack() {
    assertEquals(
        "StringToNumberOp could not correctly convert string: a",
        TensorFlowRunner.withoutGraphInternals(
            "StringToNumberOp could not correctly convert string: a\n\t [[{{node ToNumber}}]]"));
    assertEquals(
        "Incompatible shapes: [2] vs. [3]",
        TensorFlowRunner.withoutGraphInternals(
            "Incompatible shapes: [2] vs. [3] [[{{node add}}]]\nStack trace:\n  frame 1"));
  }

  @Test
  void shouldRejectAnInputOfTheWrongDatatypeNamingIt() {
    List<Tensor> inputs = new ArrayList<>(allInputs(1));
    inputs.replaceAll(t -> t.name().equals("IN_FP32") ? zeros("IN_FP32", DataType.INT32, 1, 3) : t);

    InferenceException error = runExpectingFailure(Batch.direct(1, inputs, Set.of()));

    assertEquals(InferenceException.Reason.INVALID_INPUT, error.reason());
    assertTrue(error.getMessage().contains("'IN_FP32'"), error.getMessage());
    assertTrue(error.getMessage().contains("INT32"), error.getMessage());
  }

  @Test
  void shouldRejectAnInputOfTheWrongShapeNamingIt() {
    List<Tensor> inputs = new ArrayList<>(allInputs(1));
    inputs.replaceAll(
        t -> t.name().equals("IN_INT64") ? zeros("IN_INT64", DataType.INT64, 1, 4) : t);

    InferenceException error = runExpectingFailure(Batch.direct(1, inputs, Set.of()));

    assertEquals(InferenceException.Reason.INVALID_INPUT, error.reason());
    assertTrue(error.getMessage().contains("'IN_INT64'"), error.getMessage());
  }

  @Test
  void shouldRejectAMissingInputNamingIt() {
    List<Tensor> inputs = new ArrayList<>(allInputs(1));
    inputs.removeIf(t -> t.name().equals("IN_BOOL"));

    InferenceException error = runExpectingFailure(Batch.direct(1, inputs, Set.of()));

    assertEquals(InferenceException.Reason.INVALID_INPUT, error.reason());
    assertTrue(error.getMessage().contains("'IN_BOOL'"), error.getMessage());
  }

  @Test
  void shouldRejectAnUnknownRequestedOutputNamingIt() {
    InferenceException error =
        runExpectingFailure(Batch.direct(1, allInputs(1), Set.of("OUT_FP32", "NOPE")));

    assertEquals(InferenceException.Reason.INVALID_INPUT, error.reason());
    assertTrue(error.getMessage().contains("'NOPE'"), error.getMessage());
  }

  @Test
  void shouldKeepServingAfterARejectedBatch() throws Exception {
    try (ModelRunner runner = model.newRunner()) {
      assertThrows(
          InferenceException.class, () -> runner.run(Batch.direct(1, List.of(), Set.of())));
      assertEquals(1, runner.run(Batch.direct(1, allInputs(1), Set.of("OUT_UINT8"))).size());
    }
  }

  private static InferenceException runExpectingFailure(Batch batch) {
    try (ModelRunner runner = model.newRunner()) {
      return assertThrows(InferenceException.class, () -> runner.run(batch));
    }
  }

  private static List<Tensor> allInputs(int rows) {
    List<Tensor> inputs = new ArrayList<>();
    for (DataType type : TYPES) {
      inputs.add(zeros("IN_" + type, type, rows, 3));
    }
    return inputs;
  }

  private static Tensor zeros(String name, DataType type, int rows, int columns) {
    int count = rows * columns;
    ByteBuffer data = ByteBuffer.allocate(type.isFixedSize() ? count * type.byteSize() : count * 4);
    return Tensor.of(name, type, new long[] {rows, columns}, data);
  }

  /** Random bit patterns (NaN payloads included) for numbers, 0/1 for BOOL, odd bytes for BYTES. */
  private static ByteBuffer randomData(DataType type, int count, Random random) {
    if (type == DataType.BYTES) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[][] elements = {
        new byte[0],
        "hello".getBytes(StandardCharsets.UTF_8),
        {0, -1, (byte) 0xC3, 0x28, 0, 7},
        "ünïcødé".getBytes(StandardCharsets.UTF_8),
        new byte[300],
        {42}
      };
      random.nextBytes(elements[4]);
      for (int i = 0; i < count; i++) {
        byte[] element = elements[i % elements.length];
        ByteBuffer length = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        out.writeBytes(length.putInt(element.length).array());
        out.writeBytes(element);
      }
      return ByteBuffer.wrap(out.toByteArray()).asReadOnlyBuffer();
    }
    byte[] bytes = new byte[count * type.byteSize()];
    random.nextBytes(bytes);
    if (type == DataType.BOOL) {
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) (bytes[i] & 1);
      }
    }
    // Read-only, as request data is: the runner cannot reach its array.
    return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
  }

  private static byte[] bytes(Tensor tensor) {
    ByteBuffer data = tensor.data();
    byte[] bytes = new byte[data.remaining()];
    data.get(bytes);
    return bytes;
  }
}
