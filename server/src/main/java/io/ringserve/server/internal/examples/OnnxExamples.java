package io.ringserve.server.internal.examples;

import io.ringserve.server.model.TensorSpec;
import io.ringserve.wire.DataType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The ONNX twins of two TensorFlow examples, written by {@link OnnxModelWriter} (no download, no
 * committed binary, no Python):
 *
 * <ul>
 *   <li>{@code simple_onnx}: the {@code simple} quickstart model, INT32 [-1, 16] INPUT0 and INPUT1
 *       to OUTPUT0 = sum and OUTPUT1 = difference, one Add and one Sub node.
 *   <li>{@code mlp_onnx}: the {@code mlp} network with the same {@link MlpWeights}, as MatMul + Add
 *       + Relu twice, MatMul + Add and Softmax over the last axis, so that its outputs agree with
 *       {@code mlp}'s to float rounding.
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
final class OnnxExamples {
  static final String SIMPLE_ONNX = "simple_onnx";
  static final String MLP_ONNX = "mlp_onnx";

  private OnnxExamples() {}

  /** The config of {@code simple_onnx}: as {@code simple}'s, on ONNX Runtime. */
  static String simpleConfig() {
    return ConfigText.of(
        SIMPLE_ONNX,
        ConfigText.ONNX_PLATFORM,
        "Triton's quickstart model as ONNX: OUTPUT0 = INPUT0 + INPUT1, OUTPUT1 = INPUT0 - INPUT1,\n"
            + "element-wise over 16 INT32 values per request.",
        SimpleModels.MAX_BATCH_SIZE,
        List.of(simpleSpec("INPUT0"), simpleSpec("INPUT1")),
        List.of(simpleSpec("OUTPUT0"), simpleSpec("OUTPUT1")),
        true);
  }

  private static TensorSpec simpleSpec(String name) {
    return new TensorSpec(name, DataType.INT32, new long[] {SimpleModels.WIDTH});
  }

  /** Writes {@code simple_onnx}'s {@code model.onnx}. */
  static void writeSimple(Path modelFile) throws IOException {
    long width = SimpleModels.WIDTH;
    new OnnxModelWriter(SIMPLE_ONNX)
        .input("INPUT0", DataType.INT32, -1, width)
        .input("INPUT1", DataType.INT32, -1, width)
        .output("OUTPUT0", DataType.INT32, -1, width)
        .output("OUTPUT1", DataType.INT32, -1, width)
        .node("Add", List.of("INPUT0", "INPUT1"), List.of("OUTPUT0"))
        .node("Sub", List.of("INPUT0", "INPUT1"), List.of("OUTPUT1"))
        .writeTo(modelFile);
  }

  /** The config of {@code mlp_onnx}: as {@code mlp}'s, on ONNX Runtime. */
  static String mlpConfig(MlpWeights weights) {
    return ConfigText.of(
        MLP_ONNX,
        ConfigText.ONNX_PLATFORM,
        "The mlp example as ONNX, same weights: a 784-1024-1024-10 ReLU network (not trained),\n"
            + "OUTPUT0 = softmax(W3 relu(W2 relu(W1 INPUT0 + b1) + b2) + b3). For load tests.",
        MlpModel.MAX_BATCH_SIZE,
        List.of(new TensorSpec("INPUT0", DataType.FP32, new long[] {weights.inputSize()})),
        List.of(new TensorSpec("OUTPUT0", DataType.FP32, new long[] {weights.outputSize()})),
        true);
  }

  /** Writes {@code mlp_onnx}'s {@code model.onnx}, with the weights as initializers. */
  static void writeMlp(Path modelFile, MlpWeights weights) throws IOException {
    OnnxModelWriter model =
        new OnnxModelWriter(MLP_ONNX)
            .input("INPUT0", DataType.FP32, -1, weights.inputSize())
            .output("OUTPUT0", DataType.FP32, -1, weights.outputSize());
    String activations = "INPUT0";
    for (int layer = 0; layer < weights.layerCount(); layer++) {
      String matrix = "W" + layer;
      String bias = "b" + layer;
      // MlpWeights are row-major [inputs, outputs], which is what MatMul(x [N, inputs], W) takes.
      model.initializer(
          matrix,
          new long[] {weights.inputsOf(layer), weights.outputsOf(layer)},
          weights.weights(layer));
      model.initializer(bias, new long[] {weights.outputsOf(layer)}, weights.bias(layer));
      String product = "matmul" + layer;
      String logits = "logits" + layer;
      model.node("MatMul", List.of(activations, matrix), List.of(product));
      model.node("Add", List.of(product, bias), List.of(logits));
      if (layer + 1 < weights.layerCount()) {
        activations = "relu" + layer;
        model.node("Relu", List.of(logits), List.of(activations));
      } else {
        activations = logits;
      }
    }
    model.node("Softmax", List.of(activations), List.of("OUTPUT0"), Map.of("axis", -1L));
    model.writeTo(modelFile);
  }
}
