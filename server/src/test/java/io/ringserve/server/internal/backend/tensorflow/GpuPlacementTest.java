package io.ringserve.server.internal.backend.tensorflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.TextFormat;
import inference.ModelConfigOuterClass.ModelConfig;
import io.ringserve.server.model.ModelLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.ConfigProto;

/** The session config a KIND_GPU model would get, and its refusal where there is no GPU. */
class GpuPlacementTest {

  private static ModelConfig config(String text) throws Exception {
    ModelConfig.Builder b = ModelConfig.newBuilder();
    TextFormat.merge("name: \"m\" max_batch_size: 8 " + text, b);
    return b.build();
  }

  @Test
  void shouldPlaceTheSessionsOnTheGroupsGpuWithMemoryGrowth() throws Exception {
    ModelConfig config =
        config("instance_group [ { kind: KIND_GPU gpus: [ 2, 3 ] }, { kind: KIND_GPU } ]");
    ConfigProto threads = new TensorFlowOptions(4, -1).toConfigProto();

    ConfigProto session = GpuPlacement.sessionConfig(threads, GpuPlacement.gpuOf(config));

    assertEquals("2", session.getGpuOptions().getVisibleDeviceList());
    assertTrue(session.getGpuOptions().getAllowGrowth(), "memory on demand, not the whole GPU");
    assertTrue(session.getAllowSoftPlacement(), "CPU-only operations fall back to the CPU");
    // The thread settings are kept.
    assertEquals(4, session.getIntraOpParallelismThreads());
    assertEquals(-1, session.getInterOpParallelismThreads());
  }

  @Test
  void shouldTakeGpuZeroWithoutGpusAndNoGpuForCpuModels() throws Exception {
    assertEquals(0, GpuPlacement.gpuOf(config("instance_group [ { count: 2 kind: KIND_GPU } ]")));
    assertEquals(-1, GpuPlacement.gpuOf(config("instance_group [ { kind: KIND_CPU } ]")));
    assertEquals(-1, GpuPlacement.gpuOf(config("")));
  }

  @Test
  void shouldSayWhichHalfIsMissing() throws Exception {
    ModelConfig config =
        config("instance_group [ { kind: KIND_CPU }, { kind: KIND_GPU gpus: [ 1 ] } ]");

    ModelLoadException noNatives =
        assertThrows(ModelLoadException.class, () -> GpuPlacement.requireGpu(config, false, 8));
    assertTrue(noNatives.getMessage().contains("instance_group 1 asks for KIND_GPU"));
    assertTrue(noNatives.getMessage().contains("-Pgpu"), noNatives.getMessage());

    ModelLoadException noGpu =
        assertThrows(ModelLoadException.class, () -> GpuPlacement.requireGpu(config, true, 0));
    assertTrue(noGpu.getMessage().contains("no NVIDIA GPU"), noGpu.getMessage());
    ModelLoadException tooFew =
        assertThrows(ModelLoadException.class, () -> GpuPlacement.requireGpu(config, true, 1));
    assertTrue(
        tooFew.getMessage().contains("on GPU 1, but this machine has 1"), tooFew.getMessage());

    GpuPlacement.requireGpu(config, true, 2);
  }

  @Test
  void shouldCountTheGpusTheDriverLists(@TempDir Path driver) throws Exception {
    assertEquals(0, GpuPlacement.nvidiaGpuCount(driver.resolve("missing")));
    Files.createDirectories(driver.resolve("0000:01:00.0"));
    Files.createDirectories(driver.resolve("0000:02:00.0"));
    assertEquals(2, GpuPlacement.nvidiaGpuCount(driver));
  }
}
