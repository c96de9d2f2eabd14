package io.ringserve.server.backend.tensorflow;

import io.ringserve.server.backend.BackendOptions;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.tensorflow.proto.ConfigProto;

/**
 * Decides how many threads TensorFlow's thread pools get, which TensorFlow keeps once per process.
 *
 * <p>TensorFlow (1.1.0's natives, as its C++ runtime) gives every CPU session of a process the same
 * intra-op pool, and sessions without per-session threads the same inter-op pool. It sizes them
 * from the options of the first session the process creates and ignores the thread settings of
 * every later one, unless {@code TF_OVERRIDE_GLOBAL_THREADPOOL=true} is in the environment when it
 * starts. So whichever session comes first decides for the whole server. Before this class, the
 * example generator's export sessions (created with TensorFlow's defaults, one thread per core)
 * came first on a server's first start, and the server's own setting was silently lost: on two
 * cores {@code mlp} then ran every batch on two pool threads instead of its worker thread, and the
 * runner alone took 163 us per batch-1 call instead of 107 us (medians, oneDNN on).
 *
 * <p>So every session RingServe creates takes its configuration from here. The first setting seen
 * is reserved for the process, and every later session asks for the reserved intra-op thread count,
 * which is what TensorFlow gives it anyway; a model that wanted another count is logged. A server
 * reserves its setting before it generates the example models.
 *
 * <p>Thread-safe.
 */
public final class ProcessThreadPools {
  private static final System.Logger LOG = System.getLogger(ProcessThreadPools.class.getName());

  /** Set when TensorFlow gives each session pools of its own, so every setting holds. */
  private static final boolean POOLS_PER_SESSION =
      "true".equalsIgnoreCase(System.getenv("TF_OVERRIDE_GLOBAL_THREADPOOL"))
          || "1".equals(System.getenv("TF_OVERRIDE_GLOBAL_THREADPOOL"));

  private static TensorFlowOptions reserved;
  private static final Set<Integer> warnedAbout = new HashSet<>();

  private ProcessThreadPools() {}

  /**
   * Reserves the TensorFlow side of a server's engine options as the thread settings of this
   * process's pools, unless a setting is already reserved (then this does nothing). Call before
   * anything creates a TensorFlow session.
   */
  public static void reserve(BackendOptions options) {
    reserve(TensorFlowOptions.of(options));
  }

  private static synchronized void reserve(TensorFlowOptions options) {
    Objects.requireNonNull(options, "options");
    if (reserved == null) {
      reserved = options;
    }
  }

  /**
   * The session configuration of a model loaded with {@code options}: its inter-op setting (which
   * decides whether operations run on the calling thread) with the reserved intra-op thread count.
   * Logs a warning, once per count, if the model asked for another intra-op count.
   */
  static synchronized ConfigProto sessionConfig(TensorFlowOptions options) {
    reserve(options);
    if (POOLS_PER_SESSION) {
      return options.toConfigProto();
    }
    int pool = reserved.intraOpThreads();
    if (options.intraOpThreads() != pool && warnedAbout.add(options.intraOpThreads())) {
      LOG.log(
          System.Logger.Level.WARNING,
          "TensorFlow keeps one intra-op thread pool per process, and this process's is set to {0}"
              + " (0: TensorFlow's default); a model asking for {1} runs on that pool",
          pool,
          options.intraOpThreads());
    }
    return new TensorFlowOptions(pool, options.interOpThreads()).toConfigProto();
  }

  /**
   * The configuration for a session that only exports a graph and whose threads do not matter: the
   * reserved setting, or the server defaults (reserved now) if nothing is reserved yet, so that an
   * export session created first does not size the pools for the server that follows.
   */
  public static synchronized ConfigProto exportConfig() {
    reserve(BackendOptions.serverDefaults());
    return reserved.toConfigProto();
  }
}
