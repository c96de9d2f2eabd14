package io.ringserve.server.internal.backend.tensorflow;

import io.ringserve.batching.ModelRunner;
import io.ringserve.server.backend.LoadedModel;
import io.ringserve.server.model.ModelLoadException;
import io.ringserve.server.model.TensorSpec;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;

/**
 * A TensorFlow SavedModel loaded into one session (or one per batch-size range, see {@link
 * #load(Path, TensorFlowOptions, long[])}), served through its {@code serving_default} signature.
 *
 * <p>Inputs and outputs are named by their signature keys, as Triton names them, and listed sorted
 * by key: that is also the order in which a runner returns outputs. Shapes are the signature's full
 * shapes, batch dimension included, with -1 for unknown dimensions.
 *
 * <p>Cost: loading reads the graph and its variables and builds a session (milliseconds for small
 * models, seconds for large ones); the weights then stay in native memory until {@link #close()}.
 * Every runner shares the sessions, which TensorFlow runs concurrently; the intra-op thread pool is
 * the process's, whatever {@code options} ask ({@link ProcessThreadPools}).
 *
 * <p>Thread-safe. {@link #close()} must come after every runner has finished its last run.
 */
public final class TensorFlowSavedModel implements LoadedModel {
  /** The tag of the meta graph made for serving. */
  public static final String SERVE_TAG = "serve";

  private final Path directory;
  private final List<LoadedSession> sessions;
  private final long[] sessionBoundaries;
  private final ServingSignature signature;

  private TensorFlowSavedModel(
      Path directory,
      List<LoadedSession> sessions,
      long[] sessionBoundaries,
      ServingSignature signature) {
    this.directory = directory;
    this.sessions = List.copyOf(sessions);
    this.sessionBoundaries = sessionBoundaries.clone();
    this.signature = signature;
  }

  /** Loads the SavedModel into one session; see {@link #load(Path, TensorFlowOptions, long[])}. */
  public static TensorFlowSavedModel load(Path savedModelDir, TensorFlowOptions options)
      throws ModelLoadException {
    return load(savedModelDir, options, new long[0]);
  }

  /**
   * Loads the meta graph tagged {@code serve} of the SavedModel in {@code savedModelDir}, once per
   * batch-size range: with boundaries {@code [7, 81]}, batches of 1-6 rows run in one session, 7-80
   * in a second and 81 or more in a third (each holds its own copy of the weights).
   *
   * @param sessionBoundaries increasing batch sizes at which a new session's range starts; empty
   *     for one session
   * @throws ModelLoadException naming the directory if it holds no loadable SavedModel, or naming
   *     the tensor if the serving signature has one RingServe cannot serve
   */
  public static TensorFlowSavedModel load(
      Path savedModelDir, TensorFlowOptions options, long[] sessionBoundaries)
      throws ModelLoadException {
    return load(savedModelDir, options, sessionBoundaries, -1);
  }

  /**
   * As {@link #load(Path, TensorFlowOptions, long[])}, with every session on GPU {@code gpu} (see
   * {@link GpuPlacement}), or on the CPU if {@code gpu} is negative.
   */
  public static TensorFlowSavedModel load(
      Path savedModelDir, TensorFlowOptions options, long[] sessionBoundaries, int gpu)
      throws ModelLoadException {
    Objects.requireNonNull(savedModelDir, "savedModelDir");
    Objects.requireNonNull(options, "options");
    if (!SessionBoundaries.increaseFromTwo(
        Objects.requireNonNull(sessionBoundaries, "sessionBoundaries"))) {
      throw new IllegalArgumentException(
          "session boundaries must increase from 2, got " + Arrays.toString(sessionBoundaries));
    }
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      // Tensors are copied between the wire and TensorFlow as raw bytes in host order.
      throw new ModelLoadException("the TensorFlow backend needs a little-endian host");
    }
    if (!Files.isDirectory(savedModelDir)) {
      throw new ModelLoadException("SavedModel directory " + savedModelDir + " does not exist");
    }
    List<LoadedSession> sessions = new ArrayList<>();
    try {
      SavedModelBundle first = loadBundle(savedModelDir, options, gpu);
      sessions.add(LoadedSession.of(first));
      // Checked before the other copies load: a signature RingServe cannot serve fails at once.
      ServingSignature signature = ServingSignature.read(first.metaGraphDef(), savedModelDir);
      for (int i = 0; i < sessionBoundaries.length; i++) {
        sessions.add(LoadedSession.of(loadBundle(savedModelDir, options, gpu)));
      }
      return new TensorFlowSavedModel(savedModelDir, sessions, sessionBoundaries, signature);
    } catch (Throwable failure) {
      // Also on an Error (out of memory is likelier with a copy of the weights per session).
      closeAll(sessions, failure);
      throw failure;
    }
  }

  /**
   * Closes every session, even if one fails to close. A close failure is added to {@code primary}
   * when that is already being thrown; otherwise the first one is thrown after the rest are closed.
   */
  private static void closeAll(List<LoadedSession> sessions, Throwable primary) {
    RuntimeException firstFailure = null;
    for (LoadedSession session : sessions) {
      try {
        session.close();
      } catch (RuntimeException e) {
        if (primary != null) {
          primary.addSuppressed(e);
        } else if (firstFailure == null) {
          firstFailure = e;
        } else {
          firstFailure.addSuppressed(e);
        }
      }
    }
    if (firstFailure != null) {
      throw firstFailure;
    }
  }

  private static SavedModelBundle loadBundle(Path savedModelDir, TensorFlowOptions options, int gpu)
      throws ModelLoadException {
    ConfigProto config =
        gpu < 0
            ? options.toConfigProto()
            : GpuPlacement.sessionConfig(options.toConfigProto(), gpu);
    try {
      return SavedModelBundle.loader(savedModelDir.toString())
          .withTags(SERVE_TAG)
          .withConfigProto(config)
          .load();
    } catch (RuntimeException | LinkageError e) {
      throw new ModelLoadException(
          "cannot load TensorFlow SavedModel from " + savedModelDir + ": " + e.getMessage(), e);
    }
  }

  /** The serving signature's inputs, sorted by key. */
  @Override
  public List<TensorSpec> inputs() {
    return ServingSignature.specs(signature.inputs());
  }

  /** The serving signature's outputs, sorted by key; runners return outputs in this order. */
  @Override
  public List<TensorSpec> outputs() {
    return ServingSignature.specs(signature.outputs());
  }

  /** The number of sessions: one per batch-size range. */
  public int sessionCount() {
    return sessions.size();
  }

  /**
   * The session boundaries: each session does TensorFlow's slow first run (graph optimisation,
   * oneDNN weight layouts) on its own first batch, so each batch-size range needs warming.
   */
  @Override
  public long[] warmupBoundaries() {
    return sessionBoundaries.clone();
  }

  /**
   * Makes a runner for one worker thread. Runners share this model's sessions; each keeps input
   * tensors for the batch shapes it ran lately (bounded, see {@code PreparedRuns}), freed when the
   * runner is closed.
   */
  @Override
  public ModelRunner newRunner() {
    if (sessions.size() == 1) {
      return new TensorFlowRunner(sessions.get(0).session(), signature);
    }
    List<ModelRunner> runners = new ArrayList<>(sessions.size());
    for (LoadedSession session : sessions) {
      runners.add(new TensorFlowRunner(session.session(), signature));
    }
    return new BatchSizeRouter(sessionBoundaries, runners);
  }

  /** Frees the sessions and the model's weights. */
  @Override
  public void close() {
    closeAll(sessions, null);
  }

  @Override
  public String toString() {
    return "TensorFlowSavedModel{" + directory + "}";
  }

  /**
   * One loaded copy of the model: what a {@link SavedModelBundle} holds, less its {@code
   * MetaGraphDef}. That Java copy of the graph holds every constant of the graph (all the weights
   * of a frozen model, 7 MB for {@code mlp}) on the Java heap, once per session, for as long as the
   * model is loaded; the signature is read from it once, at load, and then it is garbage.
   */
  private record LoadedSession(Session session, Graph graph) {
    static LoadedSession of(SavedModelBundle bundle) {
      return new LoadedSession(bundle.session(), bundle.graph());
    }

    /** As {@link SavedModelBundle#close()}: the session, then its graph. */
    void close() {
      try {
        session.close();
      } finally {
        graph.close();
      }
    }
  }
}
