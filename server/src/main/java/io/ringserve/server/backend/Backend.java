package io.ringserve.server.backend;

import inference.ModelConfigOuterClass.ModelConfig;
import io.ringserve.server.model.ModelLoadException;
import java.nio.file.Path;

/**
 * A kind of model the server can load (TensorFlow SavedModel, ONNX, ...), named the way Triton's
 * {@code config.pbtxt} names it.
 *
 * <p>Implementations hold no per-model state and are thread-safe; loading may take seconds and is
 * done off the request path.
 */
public interface Backend {

  /** Triton's platform string, for example {@code "tensorflow_savedmodel"}. */
  String platform();

  /** Triton's backend name, for example {@code "tensorflow"}. */
  String name();

  /**
   * The file or directory a version folder holds by default, for example {@code
   * "model.savedmodel"}.
   */
  String defaultModelFilename();

  /**
   * Loads the model at {@code modelPath} (the file or directory inside a version folder).
   *
   * @param config the model's {@code config.pbtxt} as written (not yet completed from the model),
   *     for backend settings such as its {@code parameters}
   * @throws ModelLoadException naming the file and what is wrong with it
   */
  LoadedModel load(Path modelPath, ModelConfig config, BackendOptions options)
      throws ModelLoadException;
}
