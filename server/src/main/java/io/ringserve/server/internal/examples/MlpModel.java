package io.ringserve.server.internal.examples;

import io.ringserve.server.internal.backend.tensorflow.SessionBoundaries;
import io.ringserve.server.model.TensorSpec;
import io.ringserve.wire.DataType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The {@code mlp} example: FP32 INPUT0 [784] to FP32 OUTPUT0 [10], softmax of a 784-1024-1024-10
 * ReLU network with the weights of {@link MlpWeights}. It is large enough (1.9 M multiply-adds per
 * row) that batching pays off, which is what it is for: a model to measure the batcher with.
 *
 * <p>Stateless and thread-safe.
 */
final class MlpModel {
  static final String NAME = "mlp";

  /** Up to 128 rows per execution; the dynamic batcher fills batches from concurrent requests. */
  static final int MAX_BATCH_SIZE = 128;

  private MlpModel() {}

  /**
   * Where a new TensorFlow session starts (docs/PERFORMANCE.md). On the AVX-512 CPU this was
   * measured on, oneDNN lays the weights out one way for 7-80 rows and another for 1-6 and 81-128
   * rows; ranges are contiguous, so that takes three sessions.
   */
  static final String SESSION_BOUNDARIES = "7,81";

  static String config(MlpWeights weights) {
    return ConfigText.of(
            NAME,
            "A 784-1024-1024-10 ReLU network with fixed pseudo-random weights (not trained):\n"
                + "OUTPUT0 = softmax(W3 relu(W2 relu(W1 INPUT0 + b1) + b2) + b3). For load tests.",
            MAX_BATCH_SIZE,
            List.of(new TensorSpec("INPUT0", DataType.FP32, new long[] {weights.inputSize()})),
            List.of(new TensorSpec("OUTPUT0", DataType.FP32, new long[] {weights.outputSize()})),
            true)
        + "# With oneDNN, TensorFlow keeps the weights in the layout of a session's first run and\n"
        + "# re-lays them out for every run whose batch size needs another kernel. On the AVX-512 CPU\n"
        + "# this was measured on, the kernels change at 7 and 81 rows, so each range gets a session\n"
        + "# of its own (RingServe's parameter; docs/PERFORMANCE.md shows how to find your sizes).\n"
        + "parameters { key: \""
        + SessionBoundaries.PARAMETER
        + "\" value: { string_value: \""
        + SESSION_BOUNDARIES
        + "\" } }\n"
        + "# TensorFlow's first runs of a session are slow (graph optimisation, oneDNN layouts):\n"
        + "# one warmup sample per session, run before the model takes traffic.\n"
        + "model_warmup [\n"
        + warmup("rows_1_to_6", 1)
        + ",\n"
        + warmup("rows_7_to_80", 32)
        + ",\n"
        + warmup("rows_81_to_128", MAX_BATCH_SIZE)
        + "\n]\n";
  }

  private static String warmup(String name, int batchSize) {
    return "  { name: \""
        + name
        + "\" batch_size: "
        + batchSize
        + " count: 2\n"
        + "    inputs { key: \"INPUT0\" value: { data_type: TYPE_FP32 dims: [ 784 ] random_data: true } } }";
  }

  /** Writes the SavedModel, with the weights as graph constants. */
  static void export(Path savedModelDir, MlpWeights weights, SavedModelWriter writer)
      throws IOException {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> input =
          tf.withName("INPUT0")
              .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, weights.inputSize())));
      Operand<TFloat32> activations = input;
      for (int layer = 0; layer < weights.layerCount(); layer++) {
        Operand<TFloat32> matrix =
            tf.constant(
                Shape.of(weights.inputsOf(layer), weights.outputsOf(layer)),
                DataBuffers.of(weights.weights(layer), true, false));
        Operand<TFloat32> bias =
            tf.constant(
                Shape.of(weights.outputsOf(layer)),
                DataBuffers.of(weights.bias(layer), true, false));
        Operand<TFloat32> logits = tf.nn.biasAdd(tf.linalg.matMul(activations, matrix), bias);
        activations = layer + 1 < weights.layerCount() ? tf.nn.relu(logits) : logits;
      }
      Operand<TFloat32> output = tf.withName("OUTPUT0").nn.softmax(activations);
      writer.export(
          graph,
          SavedModelWriter.servingSignature()
              .input("INPUT0", input)
              .output("OUTPUT0", output)
              .build(),
          savedModelDir);
    }
  }
}
