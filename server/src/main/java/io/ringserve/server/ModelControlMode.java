package io.ringserve.server;

/**
 * How the model repository changes while the server runs, with Triton's names and rules ({@code
 * --model-control-mode}).
 */
public enum ModelControlMode {
  /** Load every model at start; changes on disk and load/unload requests are refused. */
  NONE,
  /**
   * Load every model at start, then look at the repository every {@code --repository-poll-secs}:
   * new, changed and removed models and versions are loaded, reloaded and unloaded.
   */
  POLL,
  /**
   * Load only the {@code --load-model} models at start; the rest is up to {@code
   * RepositoryModelLoad} and {@code RepositoryModelUnload}.
   */
  EXPLICIT
}
