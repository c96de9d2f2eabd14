package io.ringserve.server.internal.backend;

import io.ringserve.server.model.ModelLoadException;

/**
 * The one wording of a bad {@code parameters} value in a model's {@code config.pbtxt}, so that
 * every backend names the file, the model, the key, what it got and what it takes alike.
 *
 * <p>Stateless and thread-safe.
 */
public final class ParameterErrors {
  private ParameterErrors() {}

  /**
   * The error for parameter {@code key} of model {@code model} set to {@code value}.
   *
   * @param wanted what the parameter takes, as a phrase ("a whole number >= 0")
   */
  public static ModelLoadException invalid(String model, String key, String value, String wanted) {
    return new ModelLoadException(
        "config.pbtxt of model '"
            + model
            + "' sets parameter '"
            + key
            + "' to '"
            + value
            + "'; it takes "
            + wanted);
  }
}
