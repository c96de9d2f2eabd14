package io.ringserve.server.internal.backend.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.ringserve.batching.ModelRunner;
import io.ringserve.server.backend.LoadedModel;
import io.ringserve.server.model.ModelLoadException;
import io.ringserve.server.model.TensorSpec;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An ONNX model loaded into ONNX Runtime sessions, one per model instance or one per device shared
 * by its instances ({@link OnnxOptions#shareSession()}).
 *
 * <p>Inputs and outputs are named as in the graph and listed in the graph's order: that is also the
 * order in which a runner returns outputs. Shapes are the graph's full shapes, batch dimension
 * included, with -1 for symbolic dimensions.
 *
 * <p>Cost: every session is created here, when the model loads, so that a model that cannot run (a
 * bad file, a GPU that is not there) fails its load rather than its first request. Each session
 * holds its own copy of the weights and its own thread pools until {@link #close()}.
 *
 * <p>Thread-safe. {@link #close()} must come after every runner has finished its last run.
 */
public final class OnnxModel implements LoadedModel {
  private final OrtEnvironment env;
  private final Path file;
  private final OnnxSignature signature;
  private final OnnxOptions options;
  private final List<OrtSession> owned;
  private final List<OrtSession> perInstance;
  private final AtomicInteger nextInstance = new AtomicInteger();

  private OnnxModel(
      OrtEnvironment env,
      Path file,
      OnnxSignature signature,
      OnnxOptions options,
      List<OrtSession> owned,
      List<OrtSession> perInstance) {
    this.env = env;
    this.file = file;
    this.signature = signature;
    this.options = options;
    this.owned = List.copyOf(owned);
    this.perInstance = List.copyOf(perInstance);
  }

  /**
   * Loads {@code modelFile} once per instance in {@code devices} (or once per distinct device if
   * the options share sessions).
   *
   * @param devices one entry per instance, {@link InstancePlan#CPU} or a GPU index
   * @throws ModelLoadException naming the file if ONNX Runtime cannot load it, the tensor if the
   *     graph has one RingServe cannot serve, or what is missing for a GPU instance
   */
  public static OnnxModel load(Path modelFile, OnnxOptions options, List<Integer> devices)
      throws ModelLoadException {
    Objects.requireNonNull(modelFile, "modelFile");
    Objects.requireNonNull(options, "options");
    if (devices.isEmpty()) {
      throw new IllegalArgumentException("devices must not be empty");
    }
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      // Tensors are copied between the wire and ONNX Runtime as raw bytes in host order.
      throw new ModelLoadException("the ONNX Runtime backend needs a little-endian host");
    }
    if (!Files.isRegularFile(modelFile)) {
      throw new ModelLoadException("ONNX model file " + modelFile + " does not exist");
    }
    OrtEnvironment env = environment();
    List<OrtSession> owned = new ArrayList<>();
    try {
      Map<Integer, OrtSession> shared = new HashMap<>();
      List<OrtSession> perInstance = new ArrayList<>(devices.size());
      for (int device : devices) {
        OrtSession session = options.shareSession() ? shared.get(device) : null;
        if (session == null) {
          session = Sessions.open(env, modelFile, options, device);
          owned.add(session);
          shared.put(device, session);
        }
        perInstance.add(session);
      }
      OnnxSignature signature = OnnxSignature.read(owned.get(0), modelFile);
      return new OnnxModel(env, modelFile, signature, options, owned, perInstance);
    } catch (ModelLoadException | RuntimeException e) {
      closeAll(owned);
      throw e;
    }
  }

  /** The process-wide ONNX Runtime environment, made on first use and never closed. */
  static OrtEnvironment environment() throws ModelLoadException {
    try {
      return OrtEnvironment.getEnvironment();
    } catch (RuntimeException | LinkageError e) {
      throw new ModelLoadException("cannot start ONNX Runtime: " + e.getMessage(), e);
    }
  }

  /** The model file. */
  public Path file() {
    return file;
  }

  /** The settings the sessions were made with. */
  public OnnxOptions options() {
    return options;
  }

  /** How many ONNX Runtime sessions the model holds. */
  public int sessionCount() {
    return owned.size();
  }

  /** The graph's inputs, in graph order. */
  @Override
  public List<TensorSpec> inputs() {
    return signature.inputs();
  }

  /** The graph's outputs, in graph order; runners return outputs in this order. */
  @Override
  public List<TensorSpec> outputs() {
    return signature.outputs();
  }

  /**
   * A runner for the next instance, in the order of the instance plan given to {@link #load}; past
   * the last instance it starts again at the first. Cheap: the session already exists.
   */
  @Override
  public ModelRunner newRunner() {
    int instance = Math.floorMod(nextInstance.getAndIncrement(), perInstance.size());
    return new OnnxRunner(env, perInstance.get(instance), signature);
  }

  /** Frees every session and its weights. */
  @Override
  public void close() {
    closeAll(owned);
  }

  private static void closeAll(List<OrtSession> sessions) {
    for (OrtSession session : sessions) {
      try {
        session.close();
      } catch (OrtException | RuntimeException e) {
        System.getLogger(OnnxModel.class.getName())
            .log(System.Logger.Level.WARNING, "cannot close an ONNX Runtime session", e);
      }
    }
  }

  @Override
  public String toString() {
    return "OnnxModel{" + file + ", " + owned.size() + " session(s)}";
  }
}
