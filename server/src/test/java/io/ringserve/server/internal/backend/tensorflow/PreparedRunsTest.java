package io.ringserve.server.internal.backend.tensorflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.batching.Batch;
import io.ringserve.batching.ModelRunner;
import io.ringserve.batching.Tensor;
import io.ringserve.wire.DataType;
import java.nio.ByteBuffer;
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

/**
 * A runner reuses the input tensors and session call it prepared for a batch shape: every batch
 * must still be answered from its own inputs, whatever shapes came before, and answers already
 * returned must not change when the prepared tensors are written again.
 */
class PreparedRunsTest {
  @TempDir static Path dir;
  private static TensorFlowSavedModel model;
  private static TensorFlowSavedModel matrix;

  @BeforeAll
  static void loadModel() throws Exception {
    Map<String, Class<? extends TType>> classes = new LinkedHashMap<>();
    classes.put("INT32", TensorFlowTypes.tensorClass(DataType.INT32));
    classes.put("FP32", TensorFlowTypes.tensorClass(DataType.FP32));
    TestSavedModels.identities(dir.resolve("identity"), classes);
    model = TensorFlowSavedModel.load(dir.resolve("identity"), TensorFlowOptions.DEFAULTS);
    TestSavedModels.matrixIdentity(dir.resolve("matrix"));
    matrix = TensorFlowSavedModel.load(dir.resolve("matrix"), TensorFlowOptions.DEFAULTS);
  }

  @AfterAll
  static void closeModel() {
    model.close();
    matrix.close();
  }

  @Test
  void shouldAnswerEveryBatchFromItsOwnInputsAcrossRepeatedAndEvictedShapes() throws Exception {
    Random random = new Random(7);
    List<List<Tensor>> answered = new ArrayList<>();
    List<List<Tensor>> asked = new ArrayList<>();
    try (ModelRunner runner = model.newRunner()) {
      // More distinct batch sizes than entries are kept, twice around: hits, misses, evictions.
      for (int round = 0; round < 2; round++) {
        for (int rows = 1; rows <= PreparedRuns.MAX_ENTRIES + 4; rows++) {
          List<Tensor> inputs = inputs(rows, random);
          answered.add(runner.run(Batch.direct(rows, inputs, Set.of())));
          asked.add(inputs);
        }
        assertEquals(PreparedRuns.MAX_ENTRIES, prepared(runner).preparedCount());
      }
      for (int i = 0; i < 5; i++) { // one shape again and again, new data each time
        List<Tensor> inputs = inputs(3, random);
        answered.add(runner.run(Batch.direct(3, inputs, Set.of())));
        asked.add(inputs);
      }
    }
    for (int b = 0; b < asked.size(); b++) {
      assertIdentity(asked.get(b), answered.get(b), "batch " + b);
    }
  }

  /**
   * Dynamic batching forms every batch size up to max_batch_size; the example mlp's largest session
   * range is 81 to 128 rows of 784 FP32. All of them must stay prepared, so that a served load pays
   * for preparing each size once, not on most batches.
   */
  @Test
  void shouldPrepareEachBatchSizeOfAnMlpRangeOnceAndReuseIt() throws Exception {
    Random random = new Random(9);
    try (ModelRunner runner = matrix.newRunner()) {
      PreparedRuns prepared = prepared(runner);
      long bytes = 0;
      for (int round = 0; round < 2; round++) {
        for (int rows = 81; rows <= 128; rows++) {
          assertMatrixIdentity(runner, rows, 784, random);
          if (round == 0) {
            bytes += rows * 784L * 4;
          }
        }
      }
      assertEquals(48, prepared.createdCount(), "each size prepared once, then reused");
      assertEquals(48, prepared.preparedCount());
      assertEquals(bytes, prepared.preparedBytes());
    }
  }

  @Test
  void shouldKeepPreparedInputsWithinTheByteBudgetAndStillAnswerEveryBatch() throws Exception {
    Random random = new Random(10);
    int width = (int) (PreparedRuns.MAX_ENTRY_BYTES / 4 / 4); // 4 rows: one full-sized entry
    long entries = PreparedRuns.MAX_BYTES / PreparedRuns.MAX_ENTRY_BYTES;
    try (ModelRunner runner = matrix.newRunner()) {
      PreparedRuns prepared = prepared(runner);
      // Twice as many distinct shapes of about MAX_ENTRY_BYTES as the budget holds.
      for (int i = 0; i < 2 * entries; i++) {
        assertMatrixIdentity(runner, 4, width - i, random);
        assertTrue(
            prepared.preparedBytes() <= PreparedRuns.MAX_BYTES,
            prepared.preparedBytes() + " bytes prepared after shape " + i);
      }
      assertEquals(2 * entries, prepared.createdCount());
      assertTrue(prepared.preparedCount() < entries + 1, prepared.preparedCount() + " entries");

      // A batch over MAX_ENTRY_BYTES is answered from tensors made for it, and not kept.
      long before = prepared.preparedBytes();
      assertMatrixIdentity(runner, 5, width, random);
      assertEquals(2 * entries, prepared.createdCount());
      assertEquals(before, prepared.preparedBytes());
    }
  }

  @Test
  void shouldFetchWhatEachBatchAsksForOnTheSameShape() throws Exception {
    Random random = new Random(8);
    try (ModelRunner runner = model.newRunner()) {
      List<Tensor> inputs = inputs(2, random);
      List<Tensor> all = runner.run(Batch.direct(2, inputs, Set.of()));
      List<Tensor> one = runner.run(Batch.direct(2, inputs, Set.of("OUT_INT32")));
      List<Tensor> allAgain = runner.run(Batch.direct(2, inputs, Set.of()));

      assertEquals(List.of("OUT_FP32", "OUT_INT32"), all.stream().map(Tensor::name).toList());
      assertEquals(List.of("OUT_INT32"), one.stream().map(Tensor::name).toList());
      assertEquals(2, allAgain.size());
      assertIdentity(inputs, allAgain, "all outputs again");
    }
  }

  private static PreparedRuns prepared(ModelRunner runner) {
    return ((TensorFlowRunner) runner).prepared();
  }

  /** Runs a random [rows, width] matrix through {@link #matrix} and checks it comes back. */
  private static void assertMatrixIdentity(ModelRunner runner, int rows, int width, Random random)
      throws Exception {
    byte[] bytes = new byte[rows * width * 4];
    random.nextBytes(bytes);
    Tensor input =
        Tensor.of(
            "X",
            DataType.FP32,
            new long[] {rows, width},
            ByteBuffer.wrap(bytes).asReadOnlyBuffer());
    List<Tensor> output = runner.run(Batch.direct(rows, List.of(input), Set.of()));
    assertEquals(1, output.size());
    assertArrayEquals(new long[] {rows, width}, output.get(0).shape(), rows + " x " + width);
    assertArrayEquals(bytes, bytes(output.get(0)), rows + " x " + width);
  }

  private static void assertIdentity(List<Tensor> inputs, List<Tensor> outputs, String what) {
    assertEquals(inputs.size(), outputs.size(), what);
    for (Tensor output : outputs) {
      Tensor input =
          inputs.stream()
              .filter(t -> t.name().equals("IN_" + output.name().substring(4)))
              .findFirst()
              .orElseThrow();
      assertArrayEquals(input.shape(), output.shape(), what + " " + output.name());
      assertArrayEquals(bytes(input), bytes(output), what + " " + output.name());
    }
  }

  private static List<Tensor> inputs(int rows, Random random) {
    return List.of(
        tensor("IN_INT32", DataType.INT32, rows, random),
        tensor("IN_FP32", DataType.FP32, rows, random));
  }

  private static Tensor tensor(String name, DataType type, int rows, Random random) {
    byte[] bytes = new byte[rows * 3 * type.byteSize()];
    random.nextBytes(bytes);
    return Tensor.of(name, type, new long[] {rows, 3}, ByteBuffer.wrap(bytes).asReadOnlyBuffer());
  }

  private static byte[] bytes(Tensor tensor) {
    ByteBuffer data = tensor.data();
    byte[] bytes = new byte[data.remaining()];
    data.get(bytes);
    return bytes;
  }
}
