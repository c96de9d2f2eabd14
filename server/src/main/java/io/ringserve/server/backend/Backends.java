package io.ringserve.server.backend;

import io.ringserve.server.internal.backend.onnx.OnnxRuntimeBackend;
import io.ringserve.server.internal.backend.tensorflow.ProcessThreadPools;
import io.ringserve.server.internal.backend.tensorflow.TensorFlowBackend;
import java.util.List;

/** The backends this server has, in the order a model folder is matched against them. */
public final class Backends {
  private Backends() {}

  /**
   * @param tensorFlowPools the process's TensorFlow pool settings, which the server's start-up owns
   */
  public static List<Backend> all(ProcessThreadPools tensorFlowPools) {
    return List.of(new TensorFlowBackend(tensorFlowPools), new OnnxRuntimeBackend());
  }
}
