package io.ringserve.server.internal.backend.tensorflow;

import inference.ModelConfigOuterClass.ModelConfig;
import inference.ModelConfigOuterClass.ModelInstanceGroup;
import io.ringserve.server.model.ModelLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;

/**
 * Puts the sessions of a {@code KIND_GPU} model on its GPU: TensorFlow's session config sees only
 * that device ({@code gpu_options.visible_device_list}) and takes its memory as it needs it ({@code
 * allow_growth}) rather than the whole device at the first session, so that several models and the
 * ONNX Runtime sessions can share one GPU. Operations without a GPU kernel fall back to the CPU
 * ({@code allow_soft_placement}), as TensorFlow Serving does.
 *
 * <p>A GPU model loads only where both halves are there: the GPU build of TensorFlow's natives on
 * the class path (the {@code -Pgpu} Maven profile) and an NVIDIA GPU the driver reports. Anything
 * else fails the load with a message that says which is missing, so that the other models serve.
 *
 * <p>Stateless and thread-safe; the availability checks read the class path and {@code /proc}.
 */
final class GpuPlacement {
  /** Where the GPU build of TensorFlow's natives keeps its libraries (JavaCPP's layout). */
  static final String GPU_NATIVES = "org/tensorflow/internal/c_api/linux-x86_64-gpu/";

  /** One folder per GPU the NVIDIA driver found. */
  static final Path NVIDIA_GPUS = Path.of("/proc/driver/nvidia/gpus");

  private GpuPlacement() {}

  /** The index of the model's first {@code KIND_GPU} instance group, or -1 if none asks for one. */
  static int gpuGroup(ModelConfig config) {
    for (int i = 0; i < config.getInstanceGroupCount(); i++) {
      if (config.getInstanceGroup(i).getKind() == ModelInstanceGroup.Kind.KIND_GPU) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The GPU a model's sessions go on: that of its first {@code KIND_GPU} instance group (the first
   * of its {@code gpus}, or GPU 0), or -1 if no group asks for a GPU.
   */
  static int gpuOf(ModelConfig config) {
    int group = gpuGroup(config);
    if (group < 0) {
      return -1;
    }
    ModelInstanceGroup g = config.getInstanceGroup(group);
    return g.getGpusCount() > 0 ? g.getGpus(0) : 0;
  }

  /** {@code base} with the model placed on GPU {@code gpu}, memory taken as needed. */
  static ConfigProto sessionConfig(ConfigProto base, int gpu) {
    if (gpu < 0) {
      throw new IllegalArgumentException("gpu must be >= 0, got " + gpu);
    }
    return base.toBuilder()
        .setAllowSoftPlacement(true)
        .setGpuOptions(
            GPUOptions.newBuilder()
                .setAllowGrowth(true)
                .setVisibleDeviceList(Integer.toString(gpu))
                .build())
        .build();
  }

  /**
   * Checks that {@code config}'s GPU instance group can have its GPU.
   *
   * @throws ModelLoadException saying whether the GPU natives or the GPU itself is missing
   */
  static void requireGpu(ModelConfig config) throws ModelLoadException {
    requireGpu(config, hasGpuNatives(), nvidiaGpuCount(NVIDIA_GPUS));
  }

  static void requireGpu(ModelConfig config, boolean gpuNatives, int gpus)
      throws ModelLoadException {
    int gpu = gpuOf(config);
    String asks =
        "model '"
            + config.getName()
            + "': instance_group "
            + gpuGroup(config)
            + " asks for KIND_GPU";
    if (!gpuNatives) {
      throw new ModelLoadException(
          asks
              + ", but this server's TensorFlow runs on CPU only (no GPU build of TensorFlow's"
              + " natives; build with -Pgpu); use KIND_CPU");
    }
    if (gpu >= gpus) {
      throw new ModelLoadException(
          asks
              + " on GPU "
              + gpu
              + ", but this machine has "
              + (gpus == 0 ? "no NVIDIA GPU" : gpus + " NVIDIA GPU(s)")
              + "; use KIND_CPU");
    }
  }

  private static boolean hasGpuNatives() {
    return GpuPlacement.class.getClassLoader().getResource(GPU_NATIVES) != null;
  }

  /** GPUs the NVIDIA driver lists; 0 without the driver (or not on Linux). */
  static int nvidiaGpuCount(Path driverDir) {
    if (!Files.isDirectory(driverDir)) {
      return 0;
    }
    try (Stream<Path> gpus = Files.list(driverDir)) {
      return (int) gpus.count();
    } catch (java.io.IOException | SecurityException e) {
      return 0;
    }
  }
}
