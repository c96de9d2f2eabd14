package io.ringserve.server.internal.backend.tensorflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.batching.Batch;
import io.ringserve.batching.ModelRunner;
import io.ringserve.batching.Tensor;
import io.ringserve.server.model.ModelLoadException;
import io.ringserve.server.model.TensorSpec;
import io.ringserve.wire.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

class TensorFlowSavedModelTest {
  @TempDir Path dir;

  @Test
  void shouldDescribeTheServingSignatureByKeySortedWithUnknownDimsAsMinusOne() throws Exception {
    Map<String, Class<? extends TType>> types = new LinkedHashMap<>();
    types.put("STR", TString.class);
    types.put("HALF", TFloat16.class);
    types.put("FLOAT", TFloat32.class);
    TestSavedModels.identities(dir.resolve("m"), types);

    try (TensorFlowSavedModel model =
        TensorFlowSavedModel.load(dir.resolve("m"), new TensorFlowOptions(1, 1))) {
      assertEquals(
          List.of(
              new TensorSpec("IN_FLOAT", DataType.FP32, new long[] {-1, 3}),
              new TensorSpec("IN_HALF", DataType.FP16, new long[] {-1, 3}),
              new TensorSpec("IN_STR", DataType.BYTES, new long[] {-1, 3})),
          model.inputs());
      assertEquals(
          List.of("OUT_FLOAT", "OUT_HALF", "OUT_STR"),
          model.outputs().stream().map(TensorSpec::name).toList());
      assertArrayEquals(new long[] {-1, 3}, model.outputs().get(0).shape());
    }
  }

  @Test
  void shouldRunOnTheCallersThreadFromSeveralWorkersAtOnce() throws Exception {
    TestSavedModels.identities(dir.resolve("m"), Map.of("FLOAT", TFloat32.class));

    try (TensorFlowSavedModel model =
        TensorFlowSavedModel.load(
            dir.resolve("m"), new TensorFlowOptions(1, TensorFlowOptions.CALLER_THREAD))) {
      ExecutorService workers = Executors.newFixedThreadPool(4);
      try {
        List<Future<Boolean>> results = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
          float base = w * 100;
          results.add(workers.submit(() -> echoesItsOwnValues(model, base)));
        }
        for (Future<Boolean> result : results) {
          assertTrue(result.get(30, TimeUnit.SECONDS));
        }
      } finally {
        workers.shutdownNow();
      }
    }
  }

  private static boolean echoesItsOwnValues(TensorFlowSavedModel model, float base)
      throws Exception {
    try (ModelRunner runner = model.newRunner()) {
      for (int call = 0; call < 50; call++) {
        ByteBuffer data = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) {
          data.putFloat(base + call + i);
        }
        data.flip();
        Tensor input = Tensor.of("IN_FLOAT", DataType.FP32, new long[] {2, 3}, data);
        Tensor output = runner.run(Batch.direct(2, List.of(input), Set.of())).get(0);
        ByteBuffer echoed = output.data().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) {
          assertEquals(base + call + i, echoed.getFloat(echoed.position() + 4 * i));
        }
      }
    }
    return true;
  }

  @Test
  void shouldServeEveryBatchSizeRangeFromASessionOfItsOwn() throws Exception {
    TestSavedModels.identities(dir.resolve("m"), Map.of("FLOAT", TFloat32.class));

    try (TensorFlowSavedModel model =
            TensorFlowSavedModel.load(
                dir.resolve("m"),
                new TensorFlowOptions(1, TensorFlowOptions.CALLER_THREAD),
                new long[] {3});
        ModelRunner runner = model.newRunner()) {
      assertEquals(2, model.sessionCount());
      for (int rows : new int[] {1, 2, 3, 5}) {
        ByteBuffer data = ByteBuffer.allocate(rows * 12).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < rows * 3; i++) {
          data.putFloat(rows * 100 + i);
        }
        data.flip();
        Tensor input = Tensor.of("IN_FLOAT", DataType.FP32, new long[] {rows, 3}, data);

        Tensor output = runner.run(Batch.direct(rows, List.of(input), Set.of())).get(0);

        assertArrayEquals(new long[] {rows, 3}, output.shape());
        ByteBuffer echoed = output.data().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < rows * 3; i++) {
          assertEquals(rows * 100 + i, echoed.getFloat(echoed.position() + 4 * i));
        }
      }
    }
  }

  @Test
  void shouldNameTheDirectoryWhenItIsMissing() {
    Path missing = dir.resolve("nowhere");

    ModelLoadException error =
        assertThrows(
            ModelLoadException.class,
            () -> TensorFlowSavedModel.load(missing, TensorFlowOptions.DEFAULTS));

    assertTrue(error.getMessage().contains(missing.toString()), error.getMessage());
  }

  @Test
  void shouldNameTheDirectoryWhenTheSavedModelIsCorrupt() throws Exception {
    Path corrupt = Files.createDirectories(dir.resolve("corrupt"));
    Files.write(corrupt.resolve("saved_model.pb"), new byte[] {0x0a, (byte) 0xff, 0x13, 0x37});

    ModelLoadException error =
        assertThrows(
            ModelLoadException.class,
            () -> TensorFlowSavedModel.load(corrupt, TensorFlowOptions.DEFAULTS));

    assertTrue(error.getMessage().contains(corrupt.toString()), error.getMessage());
  }

  @Test
  void shouldNameTheDirectoryWhenItHoldsNoSavedModel() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));

    ModelLoadException error =
        assertThrows(
            ModelLoadException.class,
            () -> TensorFlowSavedModel.load(empty, TensorFlowOptions.DEFAULTS));

    assertTrue(error.getMessage().contains(empty.toString()), error.getMessage());
  }

  @Test
  void shouldRefuseATensorOfUnknownRankNamingIt() throws Exception {
    TestSavedModels.unknownRank(dir.resolve("m"), TFloat32.class);

    ModelLoadException error =
        assertThrows(
            ModelLoadException.class,
            () -> TensorFlowSavedModel.load(dir.resolve("m"), TensorFlowOptions.DEFAULTS));

    assertTrue(error.getMessage().contains("'X'"), error.getMessage());
    assertTrue(error.getMessage().contains("unknown rank"), error.getMessage());
  }

  @Test
  void shouldRefuseATypeTensorFlowJavaCannotFeedNamingTheTensorAndType() throws Exception {
    TestSavedModels.int8Input(dir.resolve("m"));

    ModelLoadException error =
        assertThrows(
            ModelLoadException.class,
            () -> TensorFlowSavedModel.load(dir.resolve("m"), TensorFlowOptions.DEFAULTS));

    assertTrue(error.getMessage().contains("'X'"), error.getMessage());
    assertTrue(error.getMessage().contains("DT_INT8"), error.getMessage());
  }

  @Test
  void shouldRejectNegativeThreadCounts() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> new TensorFlowOptions(-1, 0));
    IllegalArgumentException inter =
        assertThrows(IllegalArgumentException.class, () -> new TensorFlowOptions(0, -2));

    assertTrue(error.getMessage().contains("intraOpThreads"), error.getMessage());
    assertTrue(inter.getMessage().contains("-1 for the calling thread"), inter.getMessage());
  }
}
