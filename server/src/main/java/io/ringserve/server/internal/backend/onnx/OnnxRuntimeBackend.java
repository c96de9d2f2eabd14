package io.ringserve.server.internal.backend.onnx;

import inference.ModelConfigOuterClass.ModelConfig;
import io.ringserve.server.backend.Backend;
import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.backend.LoadedModel;
import io.ringserve.server.model.ModelLoadException;
import java.nio.file.Path;
import java.util.List;

/**
 * ONNX models through ONNX Runtime ({@code platform: "onnxruntime_onnx"} or {@code backend:
 * "onnxruntime"}, {@code <version>/model.onnx}), as Triton serves them.
 *
 * <p>Session settings come from the config's {@code parameters} with Triton's names (see {@link
 * OnnxOptions}); instances follow its {@code instance_group}s, {@code KIND_GPU} ones on the CUDA
 * execution provider (see {@link InstancePlan}). By default the instances on one device share one
 * session whose intra-op pool has every core: on the {@code mlp_onnx} example that measured as fast
 * or faster than one session per instance with {@code cores / instances} threads each
 * (docs/PERFORMANCE.md); {@code share_session_between_instances: "false"} gives each its own.
 *
 * <p>Stateless and thread-safe.
 */
public final class OnnxRuntimeBackend implements Backend {
  @Override
  public String platform() {
    return "onnxruntime_onnx";
  }

  @Override
  public String name() {
    return "onnxruntime";
  }

  @Override
  public String defaultModelFilename() {
    return "model.onnx";
  }

  @Override
  public LoadedModel load(Path modelPath, ModelConfig config, BackendOptions options)
      throws ModelLoadException {
    List<Integer> devices = InstancePlan.devices(config);
    int sessions = (int) devices.stream().filter(d -> d == InstancePlan.CPU).count();
    OnnxOptions onnxOptions =
        OnnxOptions.fromConfig(
            config, options, Math.max(1, sessions), Runtime.getRuntime().availableProcessors());
    return OnnxModel.load(modelPath, onnxOptions, devices);
  }
}
