package io.ringserve.server.internal.backend.onnx;

import inference.ModelConfigOuterClass.ModelConfig;
import inference.ModelConfigOuterClass.ModelInstanceGroup;
import java.util.ArrayList;
import java.util.List;

/**
 * Where each instance of a model runs, in the order the repository asks for runners: the instance
 * groups of {@code config.pbtxt} in order, {@code count} instances each (1 if unset).
 *
 * <p>A {@code KIND_GPU} group places its instances on the GPUs it lists, round-robin (GPU 0 if it
 * lists none); every other kind runs on the CPU. A config without instance groups has one CPU
 * instance, as the repository completes it.
 *
 * <p>Stateless and thread-safe.
 */
final class InstancePlan {
  /** The CPU, as a device. */
  static final int CPU = -1;

  private InstancePlan() {}

  /** One entry per instance: {@link #CPU} or the GPU's index. */
  static List<Integer> devices(ModelConfig config) {
    List<Integer> devices = new ArrayList<>();
    for (ModelInstanceGroup group : config.getInstanceGroupList()) {
      int count = Math.max(1, group.getCount());
      for (int i = 0; i < count; i++) {
        if (group.getKind() == ModelInstanceGroup.Kind.KIND_GPU) {
          devices.add(group.getGpusCount() == 0 ? 0 : group.getGpus(i % group.getGpusCount()));
        } else {
          devices.add(CPU);
        }
      }
    }
    if (devices.isEmpty()) {
      devices.add(CPU);
    }
    return List.copyOf(devices);
  }
}
