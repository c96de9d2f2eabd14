package io.ringserve.server.internal.backend.tensorflow;

import inference.ModelConfigOuterClass.ModelConfig;
import io.ringserve.server.backend.Backend;
import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.backend.LoadedModel;
import io.ringserve.server.model.ModelLoadException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * TensorFlow SavedModels ({@code platform: "tensorflow_savedmodel"}, {@code
 * <version>/model.savedmodel/}), run through their {@code serving_default} signature. All instances
 * of a version share one loaded SavedModel: a TensorFlow session is safe to run from several
 * threads at once. The {@value SessionBoundaries#PARAMETER} parameter gives each batch-size range a
 * session of its own.
 *
 * <p>Thread-safe; it holds nothing but the process's pool settings.
 */
public final class TensorFlowBackend implements Backend {
  private final ProcessThreadPools pools;

  /**
   * @param pools the process's TensorFlow pool settings, which every session of this backend asks
   *     for
   */
  public TensorFlowBackend(ProcessThreadPools pools) {
    this.pools = Objects.requireNonNull(pools, "pools");
  }

  @Override
  public String platform() {
    return "tensorflow_savedmodel";
  }

  @Override
  public String name() {
    return "tensorflow";
  }

  @Override
  public String defaultModelFilename() {
    return "model.savedmodel";
  }

  @Override
  public LoadedModel load(Path modelPath, ModelConfig config, BackendOptions options)
      throws ModelLoadException {
    int gpu = GpuPlacement.gpuOf(config);
    if (gpu >= 0) {
      // Refused rather than run on the CPU: a user who asked for the GPU must know.
      GpuPlacement.requireGpu(config);
    }
    return TensorFlowSavedModel.load(
        modelPath,
        pools.sessionOptions(TensorFlowOptions.of(options)),
        SessionBoundaries.fromConfig(config),
        gpu);
  }
}
