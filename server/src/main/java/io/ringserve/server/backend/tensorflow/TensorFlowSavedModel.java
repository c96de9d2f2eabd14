package io.ringserve.server.backend.tensorflow;

import io.ringserve.batching.ModelRunner;
import io.ringserve.server.backend.LoadedModel;
import io.ringserve.server.model.ModelLoadException;
import io.ringserve.server.model.TensorSpec;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.tensorflow.SavedModelBundle;

/**
 * A TensorFlow SavedModel loaded into one session, served through its {@code serving_default}
 * signature.
 *
 * <p>Inputs and outputs are named by their signature keys, as Triton names them, and listed sorted
 * by key: that is also the order in which a runner returns outputs. Shapes are the signature's full
 * shapes, batch dimension included, with -1 for unknown dimensions.
 *
 * <p>Cost: loading reads the graph and its variables and builds a session (milliseconds for small
 * models, seconds for large ones); the weights then stay in native memory until {@link #close()}.
 * Every runner shares this one session, which TensorFlow runs concurrently, and its thread pools.
 *
 * <p>Thread-safe. {@link #close()} must come after every runner has finished its last run.
 */
public final class TensorFlowSavedModel implements LoadedModel {
  /** The tag of the meta graph made for serving. */
  public static final String SERVE_TAG = "serve";

  private final Path directory;
  private final SavedModelBundle bundle;
  private final ServingSignature signature;

  private TensorFlowSavedModel(
      Path directory, SavedModelBundle bundle, ServingSignature signature) {
    this.directory = directory;
    this.bundle = bundle;
    this.signature = signature;
  }

  /**
   * Loads the meta graph tagged {@code serve} of the SavedModel in {@code savedModelDir}.
   *
   * @throws ModelLoadException naming the directory if it holds no loadable SavedModel, or naming
   *     the tensor if the serving signature has one RingServe cannot serve
   */
  public static TensorFlowSavedModel load(Path savedModelDir, TensorFlowOptions options)
      throws ModelLoadException {
    Objects.requireNonNull(savedModelDir, "savedModelDir");
    Objects.requireNonNull(options, "options");
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      // Tensors are copied between the wire and TensorFlow as raw bytes in host order.
      throw new ModelLoadException("the TensorFlow backend needs a little-endian host");
    }
    if (!Files.isDirectory(savedModelDir)) {
      throw new ModelLoadException("SavedModel directory " + savedModelDir + " does not exist");
    }
    SavedModelBundle bundle;
    try {
      bundle =
          SavedModelBundle.loader(savedModelDir.toString())
              .withTags(SERVE_TAG)
              .withConfigProto(options.toConfigProto())
              .load();
    } catch (RuntimeException | LinkageError e) {
      throw new ModelLoadException(
          "cannot load TensorFlow SavedModel from " + savedModelDir + ": " + e.getMessage(), e);
    }
    try {
      return new TensorFlowSavedModel(
          savedModelDir, bundle, ServingSignature.read(bundle.metaGraphDef(), savedModelDir));
    } catch (ModelLoadException | RuntimeException e) {
      bundle.close();
      throw e;
    }
  }

  /** The directory the model was loaded from. */
  public Path directory() {
    return directory;
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

  /**
   * Makes a runner for one worker thread. Runners are cheap (they hold no native resources of their
   * own) and all share this model's session.
   */
  @Override
  public ModelRunner newRunner() {
    return new TensorFlowRunner(bundle.session(), signature);
  }

  /** Frees the session and the model's weights. */
  @Override
  public void close() {
    bundle.close();
  }

  @Override
  public String toString() {
    return "TensorFlowSavedModel{" + directory + "}";
  }
}
