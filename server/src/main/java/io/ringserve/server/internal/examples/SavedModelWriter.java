package io.ringserve.server.internal.examples;

import io.ringserve.server.internal.backend.tensorflow.ProcessThreadPools;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;

/**
 * Exports a graph as a SavedModel with one {@code serving_default} signature under the tag {@code
 * serve}, the layout TensorFlow Serving and Triton load.
 *
 * <p>The example graphs keep their weights as constants, so the SavedModel has no variables to
 * restore and loads in one read of {@code saved_model.pb}.
 *
 * <p>Export sessions take the thread settings of the server the models are for: TensorFlow sizes
 * its process-wide pools from the first session, and on a server's first start that is one of these
 * ({@link ProcessThreadPools}).
 *
 * <p>Immutable and thread-safe.
 */
final class SavedModelWriter {
  /** The method name TensorFlow Serving gives prediction signatures. */
  static final String PREDICT_METHOD = "tensorflow/serving/predict";

  private final ProcessThreadPools pools;

  SavedModelWriter(ProcessThreadPools pools) {
    this.pools = Objects.requireNonNull(pools, "pools");
  }

  /** A signature builder keyed {@code serving_default} for prediction. */
  static Signature.Builder servingSignature() {
    return Signature.builder().key(Signature.DEFAULT_KEY).methodName(PREDICT_METHOD);
  }

  /**
   * Writes {@code graph} and {@code signature} to {@code dir}.
   *
   * @throws IOException naming the directory if TensorFlow cannot write there
   */
  void export(Graph graph, Signature signature, Path dir) throws IOException {
    try (Session session = new Session(graph, pools.exportConfig())) {
      SavedModelBundle.exporter(dir.toString())
          .withSession(session)
          .withSignature(signature)
          .export();
    } catch (RuntimeException e) {
      throw new IOException("cannot write SavedModel to " + dir + ": " + e.getMessage(), e);
    }
  }
}
