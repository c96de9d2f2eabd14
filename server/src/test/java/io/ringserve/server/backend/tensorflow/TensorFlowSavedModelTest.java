package io.ringserve.server.backend.tensorflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.batching.DataType;
import io.ringserve.server.model.ModelLoadException;
import io.ringserve.server.model.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
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
          java.util.List.of(
              new TensorSpec("IN_FLOAT", DataType.FP32, new long[] {-1, 3}),
              new TensorSpec("IN_HALF", DataType.FP16, new long[] {-1, 3}),
              new TensorSpec("IN_STR", DataType.BYTES, new long[] {-1, 3})),
          model.inputs());
      assertEquals(
          java.util.List.of("OUT_FLOAT", "OUT_HALF", "OUT_STR"),
          model.outputs().stream().map(TensorSpec::name).toList());
      assertArrayEquals(new long[] {-1, 3}, model.outputs().get(0).shape());
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

    assertTrue(error.getMessage().contains("intraOpThreads"), error.getMessage());
  }
}
