package io.ringserve.server.internal.backend.tensorflow;

import io.ringserve.server.backend.BackendOptions;
import org.tensorflow.proto.ConfigProto;

/**
 * How a TensorFlow session of one loaded model uses threads.
 *
 * <p>TensorFlow runs the operations of one graph execution on an intra-op pool (the threads that
 * split a single matrix multiply) and independent operations side by side on an inter-op pool.
 * TensorFlow keeps both pools once per process and sizes them from the first session, so the
 * intra-op count is the process's, not the model's ({@link ProcessThreadPools}); the inter-op
 * setting still decides per session whether operations run on the calling thread. Fewer intra-op
 * threads leave room for gRPC and for several models or instances to compute at once; the default
 * lets one call use every core, which suits one busy model per machine. Either pool's threads sleep
 * when they run out of work rather than spin ({@link #toConfigProto}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param intraOpThreads threads that split one operation; 0 lets TensorFlow choose (one per core)
 * @param interOpThreads threads that run independent operations at once; 0 lets TensorFlow choose;
 *     {@link #CALLER_THREAD} runs every operation on the thread that calls the model, one after
 *     another (TensorFlow's negative setting): no hand-off to a pool thread per operation, which on
 *     a busy machine with few cores costs a scheduling delay each
 */
public record TensorFlowOptions(int intraOpThreads, int interOpThreads) {

  /** {@link #interOpThreads} that runs the operations on the calling thread. */
  public static final int CALLER_THREAD = -1;

  /** TensorFlow's own choice for both pools. */
  public static final TensorFlowOptions DEFAULTS = new TensorFlowOptions(0, 0);

  public TensorFlowOptions {
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("intraOpThreads must be >= 0, got " + intraOpThreads);
    }
    if (interOpThreads < CALLER_THREAD) {
      throw new IllegalArgumentException(
          "interOpThreads must be >= 0, or -1 for the calling thread, got " + interOpThreads);
    }
  }

  /** The TensorFlow side of a server's engine options. */
  public static TensorFlowOptions of(BackendOptions options) {
    return new TensorFlowOptions(options.intraOpThreads(), options.interOpThreads());
  }

  /**
   * The session configuration these options stand for, with the pools' spinning off; unset fields
   * keep TensorFlow's defaults.
   */
  ConfigProto toConfigProto() {
    ConfigProto.Builder config = ConfigProto.newBuilder();
    if (intraOpThreads > 0) {
      config.setIntraOpParallelismThreads(intraOpThreads);
    }
    if (interOpThreads != 0) {
      config.setInterOpParallelismThreads(interOpThreads);
    }
    // Pool threads that run out of work sleep instead of spinning for it first. The spin only
    // shortens the wake of a pool thread for the next operation; while it lasts it takes a core
    // from the gRPC threads and the other models' workers, and its CPU is billed to every request
    // (docs/PERFORMANCE.md, "Wake-ups and spinning"). The pools are the process's, so the first
    // session's setting holds for all (ProcessThreadPools): every session sets the same.
    config.getExperimentalBuilder().setDisableThreadSpinning(true);
    return config.build();
  }
}
