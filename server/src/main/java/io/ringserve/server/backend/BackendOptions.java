package io.ringserve.server.backend;

/**
 * Engine settings that apply to every model the server loads.
 *
 * @param intraOpThreads threads one operation may use; 0 leaves the engine's default
 * @param interOpThreads operations that may run at once; 0 leaves the engine's default; {@link
 *     #CALLER_THREAD} runs them one after another on the model's worker thread (TensorFlow; ONNX
 *     Runtime's default sequential mode runs on the caller anyway and ignores it)
 */
public record BackendOptions(int intraOpThreads, int interOpThreads) {
  public static final BackendOptions DEFAULT = new BackendOptions(0, 0);

  /** {@link #interOpThreads} that runs a model's operations on the calling worker thread. */
  public static final int CALLER_THREAD = -1;

  /**
   * What a server uses unless told otherwise: half the cores for one operation (1 on two cores),
   * and a model's operations run one after another on its worker thread. Engines left to their
   * defaults size their pools to every core, and their spinning pool threads then fight the gRPC
   * threads for the same cores; and handing each operation to an inter-op pool thread costs a
   * scheduling delay per operation on a busy machine (both measured in docs/PERFORMANCE.md).
   * Parallelism across requests comes from the model's instances, each with its own worker.
   */
  public static BackendOptions serverDefaults() {
    int cores = Runtime.getRuntime().availableProcessors();
    return new BackendOptions(Math.max(1, cores / 2), CALLER_THREAD);
  }

  public BackendOptions {
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("intraOpThreads must be >= 0, got " + intraOpThreads);
    }
    if (interOpThreads < CALLER_THREAD) {
      throw new IllegalArgumentException(
          "interOpThreads must be >= 0, or -1 for the calling thread, got " + interOpThreads);
    }
  }
}
