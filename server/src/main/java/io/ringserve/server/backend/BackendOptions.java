package io.ringserve.server.backend;

/**
 * Engine settings that apply to every model the server loads.
 *
 * @param intraOpThreads threads one operation may use; 0 leaves the engine's default
 * @param interOpThreads operations that may run at once; 0 leaves the engine's default
 */
public record BackendOptions(int intraOpThreads, int interOpThreads) {
  public static final BackendOptions DEFAULT = new BackendOptions(0, 0);

  /**
   * What a server uses unless told otherwise: half the cores for one operation and one operation at
   * a time (1 and 1 on two cores). Engines left to their defaults size their pools to every core,
   * and their spinning pool threads then fight the gRPC threads for the same cores: measured on two
   * cores, one intra-op thread halved TensorFlow's batch-1 latency in the server.
   */
  public static BackendOptions serverDefaults() {
    int cores = Runtime.getRuntime().availableProcessors();
    return new BackendOptions(Math.max(1, cores / 2), Math.max(1, cores / 4));
  }

  public BackendOptions {
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("intraOpThreads must be >= 0, got " + intraOpThreads);
    }
    if (interOpThreads < 0) {
      throw new IllegalArgumentException("interOpThreads must be >= 0, got " + interOpThreads);
    }
  }
}
