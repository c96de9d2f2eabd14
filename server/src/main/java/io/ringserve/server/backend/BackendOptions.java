package io.ringserve.server.backend;

/**
 * Engine settings that apply to every model the server loads.
 *
 * @param intraOpThreads threads one operation may use; 0 leaves the engine's default
 * @param interOpThreads operations that may run at once; 0 leaves the engine's default
 */
public record BackendOptions(int intraOpThreads, int interOpThreads) {
  public static final BackendOptions DEFAULT = new BackendOptions(0, 0);

  public BackendOptions {
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("intraOpThreads must be >= 0, got " + intraOpThreads);
    }
    if (interOpThreads < 0) {
      throw new IllegalArgumentException("interOpThreads must be >= 0, got " + interOpThreads);
    }
  }
}
