package io.ringserve.server.internal.backend.onnx;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.OrtSession.SessionOptions.ExecutionMode;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import inference.ModelConfigOuterClass.ModelConfig;
import inference.ModelConfigOuterClass.ModelParameter;
import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.internal.backend.ParameterErrors;
import io.ringserve.server.model.ModelLoadException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How the ONNX Runtime sessions of one model version are set up, read from the model's {@code
 * config.pbtxt} with the parameter names of Triton's onnxruntime backend, so that a Triton config
 * works unchanged:
 *
 * <ul>
 *   <li>{@code parameters { key: "intra_op_thread_count" value: { string_value: "2" } }}: threads
 *       that split one operator, the calling thread included; "0" lets ONNX Runtime choose (one per
 *       physical core).
 *   <li>{@code inter_op_thread_count}: threads that run independent operators at once, used only in
 *       parallel execution mode; "0" lets ONNX Runtime choose.
 *   <li>{@code execution_mode}: "0" sequential (the default), "1" parallel.
 *   <li>{@code share_session_between_instances}: "true" (RingServe's default) runs every instance
 *       of a device on one session, weights loaded once; "false" (Triton's default) gives each
 *       instance its own session.
 *   <li>{@code enable_mem_arena}, {@code enable_mem_pattern}: "1" or "0"; ONNX Runtime's defaults
 *       (both on) when absent.
 *   <li>any key starting with {@code session.}, for example {@code
 *       session.intra_op.allow_spinning}: passed to ONNX Runtime as a session config entry, as
 *       Triton does for {@code session.use_device_allocator_for_initializers}.
 *   <li>{@code optimization { graph { level: N } }}: as in Triton, -1 basic, 1 extended, 2 none,
 *       and 0 (or absent) all optimizations.
 * </ul>
 *
 * <p>Defaults suit a server, where several instances and models compute at once. Instances share
 * one session per device: its one intra-op pool gets every core, and a batch that runs while the
 * other instances idle can use all of them, where separate sessions would each own a fixed slice;
 * this measured as fast or faster than one session per instance (docs/PERFORMANCE.md), and loads
 * the weights once. When sessions are not shared and neither the config nor the server's {@link
 * BackendOptions} set the intra-op threads, each session gets {@code max(1, cores / sessions)}, so
 * that instances × threads fits the cores instead of every instance spawning a pool as large as the
 * machine. And unless the config says otherwise ({@code session.intra_op.allow_spinning}: "1"),
 * intra-op threads sleep rather than spin when they run out of work: a spinning pool keeps its
 * cores busy between batches, which starves the gRPC, batcher and other models' threads of a server
 * (docs/PERFORMANCE.md has the measurements).
 *
 * <p>Immutable and thread-safe.
 *
 * @param intraOpThreads threads per session that split one operator; 0 lets ONNX Runtime choose
 * @param interOpThreads threads per session that run operators side by side; 0 lets ONNX Runtime
 *     choose
 * @param executionMode sequential or parallel execution of independent operators
 * @param optimizationLevel the graph optimizations applied when the session is created
 * @param shareSession whether the instances on one device share one session
 * @param memoryArena whether the CPU memory arena is on, {@code null} for ONNX Runtime's default
 * @param memoryPattern whether memory pattern planning is on, {@code null} for the default
 * @param sessionConfig ONNX Runtime session config entries ({@code session.*} keys)
 */
public record OnnxOptions(
    int intraOpThreads,
    int interOpThreads,
    ExecutionMode executionMode,
    OptLevel optimizationLevel,
    boolean shareSession,
    Boolean memoryArena,
    Boolean memoryPattern,
    Map<String, String> sessionConfig) {

  static final String INTRA_OP_THREADS = "intra_op_thread_count";
  static final String INTER_OP_THREADS = "inter_op_thread_count";
  static final String EXECUTION_MODE = "execution_mode";
  static final String SHARE_SESSION = "share_session_between_instances";
  static final String MEMORY_ARENA = "enable_mem_arena";
  static final String MEMORY_PATTERN = "enable_mem_pattern";
  static final String SESSION_CONFIG_PREFIX = "session.";
  static final String ALLOW_SPINNING = "session.intra_op.allow_spinning";

  public OnnxOptions {
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("intraOpThreads must be >= 0, got " + intraOpThreads);
    }
    if (interOpThreads < 0) {
      throw new IllegalArgumentException("interOpThreads must be >= 0, got " + interOpThreads);
    }
    Objects.requireNonNull(executionMode, "executionMode");
    Objects.requireNonNull(optimizationLevel, "optimizationLevel");
    sessionConfig = Map.copyOf(sessionConfig);
  }

  /**
   * The options {@code config} asks for.
   *
   * @param server the server-wide thread settings, used where the config sets none
   * @param sessions how many sessions the model will have if it does not share them
   * @param cores the processors to share among those sessions
   * @throws ModelLoadException naming the parameter whose value is not understood
   */
  static OnnxOptions fromConfig(ModelConfig config, BackendOptions server, int sessions, int cores)
      throws ModelLoadException {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(server, "server");
    if (sessions < 1) {
      throw new IllegalArgumentException("sessions must be >= 1, got " + sessions);
    }
    if (cores < 1) {
      throw new IllegalArgumentException("cores must be >= 1, got " + cores);
    }
    String model = config.getName();
    boolean share = bool(config, SHARE_SESSION, true);
    int defaultIntra =
        server.intraOpThreads() > 0
            ? server.intraOpThreads()
            : share ? cores : Math.max(1, cores / sessions);
    int intra = count(config, INTRA_OP_THREADS, defaultIntra);
    // CALLER_THREAD (-1) is TensorFlow's; ONNX Runtime's sequential mode runs on the caller anyway.
    int inter = count(config, INTER_OP_THREADS, Math.max(0, server.interOpThreads()));
    String mode = config.getParametersMap().getOrDefault(EXECUTION_MODE, blank()).getStringValue();
    ExecutionMode executionMode;
    switch (mode.strip().toLowerCase(Locale.ROOT)) {
      case "":
      case "0":
      case "sequential":
        executionMode = ExecutionMode.SEQUENTIAL;
        break;
      case "1":
      case "parallel":
        executionMode = ExecutionMode.PARALLEL;
        break;
      default:
        throw ParameterErrors.invalid(
            model, EXECUTION_MODE, mode, "0 (sequential) or 1 (parallel)");
    }
    return new OnnxOptions(
        intra,
        inter,
        executionMode,
        level(model, config.getOptimization().getGraph().getLevel()),
        share,
        optionalBool(config, MEMORY_ARENA),
        optionalBool(config, MEMORY_PATTERN),
        sessionConfig(config));
  }

  private static Map<String, String> sessionConfig(ModelConfig config) {
    Map<String, String> entries = new TreeMap<>();
    entries.put(ALLOW_SPINNING, "0");
    config
        .getParametersMap()
        .forEach(
            (key, value) -> {
              if (key.startsWith(SESSION_CONFIG_PREFIX)) {
                entries.put(key, value.getStringValue());
              }
            });
    return entries;
  }

  /** Triton's onnxruntime backend levels: -1 basic, 1 extended, 2 none, 0 all. */
  private static OptLevel level(String model, int level) throws ModelLoadException {
    switch (level) {
      case 0:
        return OptLevel.ALL_OPT;
      case -1:
        return OptLevel.BASIC_OPT;
      case 1:
        return OptLevel.EXTENDED_OPT;
      case 2:
        return OptLevel.NO_OPT;
      default:
        throw new ModelLoadException(
            "config.pbtxt of model '"
                + model
                + "' sets optimization { graph { level: "
                + level
                + " } }; ONNX Runtime models take -1 (basic), 0 (all), 1 (extended) or 2 (none)");
    }
  }

  private static int count(ModelConfig config, String key, int defaultValue)
      throws ModelLoadException {
    ModelParameter parameter = config.getParametersMap().get(key);
    if (parameter == null) {
      return defaultValue;
    }
    String text = parameter.getStringValue().strip();
    try {
      int value = Integer.parseInt(text);
      if (value >= 0) {
        return value;
      }
    } catch (NumberFormatException notANumber) {
      // Reported below with the parameter's name.
    }
    throw ParameterErrors.invalid(config.getName(), key, text, "a whole number >= 0");
  }

  private static boolean bool(ModelConfig config, String key, boolean defaultValue)
      throws ModelLoadException {
    Boolean value = optionalBool(config, key);
    return value == null ? defaultValue : value;
  }

  private static Boolean optionalBool(ModelConfig config, String key) throws ModelLoadException {
    ModelParameter parameter = config.getParametersMap().get(key);
    if (parameter == null) {
      return null;
    }
    String text = parameter.getStringValue().strip().toLowerCase(Locale.ROOT);
    switch (text) {
      case "1":
      case "true":
        return true;
      case "0":
      case "false":
        return false;
      default:
        throw ParameterErrors.invalid(
            config.getName(), key, text, "\"1\"/\"true\" or \"0\"/\"false\"");
    }
  }

  private static ModelParameter blank() {
    return ModelParameter.getDefaultInstance();
  }

  /**
   * New ONNX Runtime session options with these settings; the caller closes them once the session
   * is created.
   */
  SessionOptions toSessionOptions() throws OrtException {
    SessionOptions options = new SessionOptions();
    try {
      options.setIntraOpNumThreads(intraOpThreads);
      options.setInterOpNumThreads(interOpThreads);
      options.setExecutionMode(executionMode);
      options.setOptimizationLevel(optimizationLevel);
      if (memoryArena != null) {
        options.setCPUArenaAllocator(memoryArena);
      }
      if (memoryPattern != null) {
        options.setMemoryPatternOptimization(memoryPattern);
      }
      for (Map.Entry<String, String> entry : sessionConfig.entrySet()) {
        options.addConfigEntry(entry.getKey(), entry.getValue());
      }
      return options;
    } catch (OrtException | RuntimeException e) {
      options.close();
      throw e;
    }
  }
}
