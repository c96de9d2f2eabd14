package io.ringserve.server.internal.backend.tensorflow;

import io.ringserve.server.backend.BackendOptions;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.tensorflow.proto.ConfigProto;

/**
 * The thread settings of TensorFlow's pools in this process, as the server's start-up decided them,
 * handed to everything that creates a TensorFlow session.
 *
 * <p>TensorFlow (1.1.0's natives, as its C++ runtime) gives every CPU session of a process the same
 * intra-op pool, and sessions without per-session threads the same inter-op pool. It sizes them
 * from the options of the first session the process creates and ignores the thread settings of
 * every later one, unless {@code TF_OVERRIDE_GLOBAL_THREADPOOL=true} is in the environment when it
 * starts. So the first session decides for the whole server, and on a server's first start that is
 * an export session of the example generator, not a model's (what losing the server's setting cost:
 * docs/PERFORMANCE.md).
 *
 * <p>Who owns it: whoever starts a server ({@code serve}, a test fixture) creates one from the
 * server's engine options before anything creates a session, and passes it both to the example
 * generator and to the TensorFlow backend. Every session then asks for the intra-op count reserved
 * here, which is what TensorFlow gives it anyway; a model that wanted another count is logged. Two
 * of these in one process are allowed but describe the same native pool: the one behind the first
 * session wins, as TensorFlow decides.
 *
 * <p>Thread-safe.
 */
public final class ProcessThreadPools {
  private static final System.Logger LOG = System.getLogger(ProcessThreadPools.class.getName());

  /** Set when TensorFlow gives each session pools of its own, so every setting holds. */
  private static final boolean POOLS_PER_SESSION =
      "true".equalsIgnoreCase(System.getenv("TF_OVERRIDE_GLOBAL_THREADPOOL"))
          || "1".equals(System.getenv("TF_OVERRIDE_GLOBAL_THREADPOOL"));

  private final TensorFlowOptions reserved;

  // @GuardedBy("this"): intra-op counts already warned about, so a model is logged once, not once
  // per session or version.
  private final Set<Integer> warnedAbout = new HashSet<>();

  /**
   * Reserves the TensorFlow side of a server's engine options for this process's pools.
   *
   * @param serverOptions the engine options of the server that will run the sessions
   */
  public ProcessThreadPools(BackendOptions serverOptions) {
    this.reserved = TensorFlowOptions.of(Objects.requireNonNull(serverOptions, "serverOptions"));
    // Before the first session too, for the same reason: JavaCPP reads it once.
    JavaCppLimits.skipResidentMemoryChecks();
  }

  /** The reserved intra-op thread count (0: TensorFlow's default, one per core). */
  public int intraOpThreads() {
    return reserved.intraOpThreads();
  }

  /**
   * The options a model loaded with {@code asked} gets: its inter-op setting (which decides whether
   * operations run on the calling thread) with the reserved intra-op thread count. Logs a warning,
   * once per count, if the model asked for another intra-op count.
   */
  TensorFlowOptions sessionOptions(TensorFlowOptions asked) {
    Objects.requireNonNull(asked, "asked");
    if (POOLS_PER_SESSION) {
      return asked;
    }
    int pool = reserved.intraOpThreads();
    if (asked.intraOpThreads() != pool && firstWarningAbout(asked.intraOpThreads())) {
      LOG.log(
          System.Logger.Level.WARNING,
          "TensorFlow keeps one intra-op thread pool per process, and this process's is set to {0}"
              + " (0: TensorFlow's default); a model asking for {1} runs on that pool",
          pool,
          asked.intraOpThreads());
    }
    return new TensorFlowOptions(pool, asked.interOpThreads());
  }

  private synchronized boolean firstWarningAbout(int intraOpThreads) {
    return warnedAbout.add(intraOpThreads);
  }

  /**
   * The configuration for a session that only exports a graph and whose threads do not matter: the
   * reserved setting, so that an export session created first sizes the pools for the server that
   * follows.
   */
  public ConfigProto exportConfig() {
    return reserved.toConfigProto();
  }
}
