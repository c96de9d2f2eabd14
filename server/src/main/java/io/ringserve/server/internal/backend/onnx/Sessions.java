package io.ringserve.server.internal.backend.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import io.ringserve.server.model.ModelLoadException;
import java.nio.file.Path;
import java.util.EnumSet;

/**
 * Opens ONNX Runtime sessions of one model file on the CPU or on a GPU through the CUDA execution
 * provider.
 *
 * <p>Cost: a session parses the model, optimizes its graph and lays out its weights: milliseconds
 * for small models, seconds for large ones, and a copy of the weights per session.
 *
 * <p>Stateless and thread-safe.
 */
final class Sessions {
  private Sessions() {}

  /**
   * Opens {@code modelFile} for {@code device} ({@link InstancePlan#CPU} or a GPU index).
   *
   * @throws ModelLoadException naming the file if ONNX Runtime cannot load it, or saying what is
   *     missing if a GPU is asked for and this build or machine cannot provide it
   */
  static OrtSession open(OrtEnvironment env, Path modelFile, OnnxOptions options, int device)
      throws ModelLoadException {
    if (device != InstancePlan.CPU) {
      checkCudaAvailable(modelFile);
    }
    try (SessionOptions sessionOptions = options.toSessionOptions()) {
      if (device != InstancePlan.CPU) {
        try {
          sessionOptions.addCUDA(device);
        } catch (OrtException | RuntimeException | LinkageError e) {
          throw new ModelLoadException(
              "cannot use GPU "
                  + device
                  + " for ONNX model "
                  + modelFile
                  + " (KIND_GPU instance): the CUDA execution provider failed to start: "
                  + e.getMessage()
                  + "; it needs an NVIDIA GPU with CUDA 12 and cuDNN 9 installed",
              e);
        }
      }
      return env.createSession(modelFile.toString(), sessionOptions);
    } catch (OrtException | RuntimeException e) {
      throw new ModelLoadException(
          "cannot load ONNX model "
              + modelFile
              + (device == InstancePlan.CPU ? "" : " on GPU " + device)
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private static void checkCudaAvailable(Path modelFile) throws ModelLoadException {
    EnumSet<OrtProvider> providers = OrtEnvironment.getAvailableProviders();
    if (!providers.contains(OrtProvider.CUDA)) {
      throw new ModelLoadException(
          "ONNX model "
              + modelFile
              + " has a KIND_GPU instance group, but this server's ONNX Runtime has no CUDA"
              + " execution provider (it has "
              + providers
              + "); build the server with -Pgpu (onnxruntime_gpu) and run it where CUDA 12 and"
              + " cuDNN 9 are installed, or use kind: KIND_CPU");
    }
  }
}
