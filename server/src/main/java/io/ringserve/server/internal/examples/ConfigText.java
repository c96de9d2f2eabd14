package io.ringserve.server.internal.examples;

import io.ringserve.server.model.TensorSpec;
import io.ringserve.wire.DataType;
import java.util.List;

/**
 * Writes a Triton {@code config.pbtxt} (protobuf text format, Triton's field names) for a
 * TensorFlow SavedModel or an ONNX model, laid out the way Triton's own examples are, so that users
 * can copy and edit it.
 *
 * <p>Stateless and thread-safe.
 */
final class ConfigText {
  static final String TENSORFLOW_PLATFORM = "tensorflow_savedmodel";
  static final String ONNX_PLATFORM = "onnxruntime_onnx";

  private ConfigText() {}

  /**
   * The config text of one model.
   *
   * @param comment a line or more explaining the model, written as {@code #} comments
   * @param inputs tensors with their per-request dims (without the batch dimension)
   * @param outputs tensors with their per-request dims (without the batch dimension)
   * @param dynamicBatching whether to add {@code dynamic_batching { }}
   */
  static String of(
      String name,
      String comment,
      int maxBatchSize,
      List<TensorSpec> inputs,
      List<TensorSpec> outputs,
      boolean dynamicBatching) {
    return of(name, TENSORFLOW_PLATFORM, comment, maxBatchSize, inputs, outputs, dynamicBatching);
  }

  /**
   * The config text of one model of the given Triton {@code platform}, for example {@link
   * #ONNX_PLATFORM}; otherwise as {@link #of(String, String, int, List, List, boolean)}.
   */
  static String of(
      String name,
      String platform,
      String comment,
      int maxBatchSize,
      List<TensorSpec> inputs,
      List<TensorSpec> outputs,
      boolean dynamicBatching) {
    StringBuilder text = new StringBuilder();
    for (String line : comment.split("\n", -1)) {
      text.append("# ").append(line).append('\n');
    }
    text.append("name: \"").append(name).append("\"\n");
    text.append("platform: \"").append(platform).append("\"\n");
    text.append("max_batch_size: ").append(maxBatchSize).append('\n');
    tensors(text, "input", inputs);
    tensors(text, "output", outputs);
    if (dynamicBatching) {
      text.append("dynamic_batching { }\n");
    }
    return text.toString();
  }

  private static void tensors(StringBuilder text, String field, List<TensorSpec> tensors) {
    text.append(field).append(" [\n");
    for (int i = 0; i < tensors.size(); i++) {
      TensorSpec tensor = tensors.get(i);
      text.append("  {\n");
      text.append("    name: \"").append(tensor.name()).append("\"\n");
      text.append("    data_type: ").append(configType(tensor.dataType())).append('\n');
      text.append("    dims: [ ");
      long[] dims = tensor.shape();
      for (int d = 0; d < dims.length; d++) {
        text.append(d == 0 ? "" : ", ").append(dims[d]);
      }
      text.append(" ]\n");
      text.append(i + 1 < tensors.size() ? "  },\n" : "  }\n");
    }
    text.append("]\n");
  }

  /** Triton's name for a type: TYPE_ and the protocol name, except TYPE_STRING for BYTES. */
  static String configType(DataType type) {
    return type == DataType.BYTES ? "TYPE_STRING" : "TYPE_" + type.name();
  }
}
