package io.ringserve.server.internal.backend.tensorflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.TextFormat;
import inference.ModelConfigOuterClass.ModelConfig;
import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.backend.LoadedModel;
import io.ringserve.server.model.ModelLoadException;
import io.ringserve.server.testing.TestServers;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.types.TFloat32;

class TensorFlowBackendTest {
  @TempDir Path dir;

  private LoadedModel load(String configText) throws Exception {
    TestSavedModels.identities(dir.resolve("m"), Map.of("FLOAT", TFloat32.class));
    ModelConfig config = TextFormat.parse(configText, ModelConfig.class);
    return new TensorFlowBackend(TestServers.pools())
        .load(dir.resolve("m"), config, BackendOptions.serverDefaults());
  }

  @Test
  void shouldLoadASessionPerBatchSizeRangeTheConfigNames() throws Exception {
    String config =
        "name: \"m\" max_batch_size: 128 parameters { key: \"split_sessions_at_batch_sizes\""
            + " value: { string_value: \"7,81\" } }";

    try (LoadedModel model = load(config)) {
      assertEquals(3, ((TensorFlowSavedModel) model).sessionCount());
      // Each session needs its own warmup run.
      assertArrayEquals(new long[] {7, 81}, model.warmupBoundaries());
    }
  }

  @Test
  void shouldLoadOneSessionByDefault() throws Exception {
    try (LoadedModel model = load("name: \"m\" max_batch_size: 128")) {
      assertEquals(1, ((TensorFlowSavedModel) model).sessionCount());
    }
  }

  @Test
  void shouldRefuseABadParameterBeforeLoadingAnything() {
    String config =
        "name: \"m\" max_batch_size: 8 parameters { key: \"split_sessions_at_batch_sizes\""
            + " value: { string_value: \"81\" } }";

    ModelLoadException error = assertThrows(ModelLoadException.class, () -> load(config));
    assertTrue(error.getMessage().contains("split_sessions_at_batch_sizes"), error.getMessage());
  }

  @Test
  void shouldRefuseAKindGpuInstanceGroupSayingWhy() {
    String config =
        "name: \"m\" max_batch_size: 8 instance_group [ { count: 1 kind: KIND_CPU },"
            + " { count: 1 kind: KIND_GPU } ]";

    ModelLoadException error = assertThrows(ModelLoadException.class, () -> load(config));
    assertTrue(
        error.getMessage().contains("instance_group 1 asks for KIND_GPU"), error.getMessage());
    assertTrue(error.getMessage().contains("CPU only"), error.getMessage());
  }
}
