package io.ringserve.server.backend;

import io.ringserve.server.backend.onnx.OnnxRuntimeBackend;
import io.ringserve.server.backend.tensorflow.TensorFlowBackend;
import java.util.List;

/** The backends this server has, in the order a model folder is matched against them. */
public final class Backends {
  private Backends() {}

  public static List<Backend> all() {
    return List.of(new TensorFlowBackend(), new OnnxRuntimeBackend());
  }
}
