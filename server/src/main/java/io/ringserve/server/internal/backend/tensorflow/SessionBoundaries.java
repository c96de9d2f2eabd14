package io.ringserve.server.internal.backend.tensorflow;

import inference.ModelConfigOuterClass.ModelConfig;
import inference.ModelConfigOuterClass.ModelParameter;
import io.ringserve.server.internal.backend.ParameterErrors;
import io.ringserve.server.model.ModelLoadException;

/**
 * Reads the {@value #PARAMETER} parameter of a TensorFlow model's {@code config.pbtxt}: the batch
 * sizes at which a new session starts, for example {@code "7,81"} for three sessions (1-6, 7-80, 81
 * and more rows). RingServe's own parameter; see {@link BatchSizeRouter} for why.
 *
 * <p>Stateless and thread-safe.
 */
public final class SessionBoundaries {
  /** The parameter's key. */
  public static final String PARAMETER = "split_sessions_at_batch_sizes";

  private SessionBoundaries() {}

  /**
   * The boundaries the config asks for, empty (one session) without the parameter.
   *
   * @throws ModelLoadException naming the model and the parameter unless the value is a
   *     comma-separated, increasing list of batch sizes in [2, max_batch_size]
   */
  public static long[] fromConfig(ModelConfig config) throws ModelLoadException {
    ModelParameter parameter = config.getParametersMap().get(PARAMETER);
    if (parameter == null) {
      return new long[0];
    }
    String text = parameter.getStringValue().strip();
    if (config.getMaxBatchSize() <= 0) {
      throw ParameterErrors.invalid(
          config.getName(), PARAMETER, text, "a model that batches (max_batch_size > 0)");
    }
    String[] parts = text.split(",", -1);
    long[] boundaries = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        boundaries[i] = Long.parseLong(parts[i].strip());
      } catch (NumberFormatException e) {
        throw invalid(config, text);
      }
    }
    if (!increaseFromTwo(boundaries)
        || boundaries[boundaries.length - 1] > config.getMaxBatchSize()) {
      throw invalid(config, text);
    }
    return boundaries;
  }

  /** True if every boundary is at least 2 and above the one before (a range is never empty). */
  static boolean increaseFromTwo(long[] boundaries) {
    long lowest = 2;
    for (long boundary : boundaries) {
      if (boundary < lowest) {
        return false;
      }
      lowest = boundary + 1;
    }
    return true;
  }

  private static ModelLoadException invalid(ModelConfig config, String text) {
    return ParameterErrors.invalid(
        config.getName(),
        PARAMETER,
        text,
        "increasing batch sizes in [2, max_batch_size "
            + config.getMaxBatchSize()
            + "] separated by commas, such as \"7,81\"");
  }
}
