package io.ringserve.server.model;

/**
 * A model could not be loaded: its files are missing or malformed, its config contradicts its
 * signature, or the backend refused it. The message names the file or setting at fault; it is what
 * RepositoryIndex reports as the model's reason.
 */
public class ModelLoadException extends Exception {
  private static final long serialVersionUID = 1L;

  public ModelLoadException(String message) {
    super(message);
  }

  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
