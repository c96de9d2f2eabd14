package io.ringserve.server.internal.examples;

import io.ringserve.server.model.TensorSpec;
import io.ringserve.wire.DataType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TString;

/**
 * Two models of Triton's QA repository that Triton's example clients call by name, so that those
 * clients run unchanged against RingServe:
 *
 * <ul>
 *   <li>{@code simple_identity}: BYTES {@code INPUT0} [-1, -1] returned as {@code OUTPUT0}, each
 *       element byte for byte (embedded NUL bytes included); {@code
 *       simple_http_string_infer_client.py} sends {@code "he\0llo"} through it. A TensorFlow
 *       SavedModel with one Identity op.
 *   <li>{@code simple_int8}: {@code simple} over INT8: {@code OUTPUT0 = INPUT0 + INPUT1}, {@code
 *       OUTPUT1 = INPUT0 - INPUT1}, 16 elements per row, wrapping on overflow as INT8 arithmetic
 *       does. An ONNX model, since TensorFlow Java has no INT8 tensors.
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
final class TritonQaModels {
  static final String SIMPLE_IDENTITY = "simple_identity";
  static final String SIMPLE_INT8 = "simple_int8";

  /** ONNX {@code TensorProto.DataType} numbers of the Cast targets. */
  private static final long ONNX_INT32 = 6;

  private static final long ONNX_INT8 = 3;

  private TritonQaModels() {}

  /**
   * The config of {@code simple_identity}. No dynamic batching: rows of requests may differ in
   * length, and Triton's QA config does not batch this model either.
   */
  static String identityConfig() {
    return ConfigText.of(
        SIMPLE_IDENTITY,
        "Triton's QA identity model: OUTPUT0 = INPUT0, any number of BYTES elements per row,\n"
            + "returned byte for byte (NUL bytes included).",
        SimpleModels.MAX_BATCH_SIZE,
        List.of(new TensorSpec("INPUT0", DataType.BYTES, new long[] {-1})),
        List.of(new TensorSpec("OUTPUT0", DataType.BYTES, new long[] {-1})),
        false);
  }

  /** Writes the SavedModel of {@code simple_identity}: strings [-1, -1] in and out. */
  static void exportIdentity(Path savedModelDir, SavedModelWriter writer) throws IOException {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Placeholder<TString> input =
          tf.withName("INPUT0").placeholder(TString.class, Placeholder.shape(Shape.of(-1, -1)));
      Operand<TString> output = tf.withName("OUTPUT0").identity(input);
      writer.export(
          graph,
          SavedModelWriter.servingSignature()
              .input("INPUT0", input)
              .output("OUTPUT0", output)
              .build(),
          savedModelDir);
    }
  }

  /** The config of {@code simple_int8}: as {@code simple}'s, INT8, on ONNX Runtime. */
  static String int8Config() {
    return ConfigText.of(
        SIMPLE_INT8,
        ConfigText.ONNX_PLATFORM,
        "Triton's QA model simple_int8: OUTPUT0 = INPUT0 + INPUT1, OUTPUT1 = INPUT0 - INPUT1,\n"
            + "element-wise over 16 INT8 values per request, wrapping on overflow.",
        SimpleModels.MAX_BATCH_SIZE,
        List.of(int8Spec("INPUT0"), int8Spec("INPUT1")),
        List.of(int8Spec("OUTPUT0"), int8Spec("OUTPUT1")),
        true);
  }

  private static TensorSpec int8Spec(String name) {
    return new TensorSpec(name, DataType.INT8, new long[] {SimpleModels.WIDTH});
  }

  /**
   * Writes {@code simple_int8}'s {@code model.onnx}. The graph widens to INT32, computes, and casts
   * back, so it does not depend on ONNX Runtime having INT8 Add and Sub kernels; the narrowing Cast
   * keeps the low 8 bits, which is INT8's wrap-around.
   */
  static void writeInt8(Path modelFile) throws IOException {
    long width = SimpleModels.WIDTH;
    new OnnxModelWriter(SIMPLE_INT8)
        .input("INPUT0", DataType.INT8, -1, width)
        .input("INPUT1", DataType.INT8, -1, width)
        .output("OUTPUT0", DataType.INT8, -1, width)
        .output("OUTPUT1", DataType.INT8, -1, width)
        .node("Cast", List.of("INPUT0"), List.of("wide0"), Map.of("to", ONNX_INT32))
        .node("Cast", List.of("INPUT1"), List.of("wide1"), Map.of("to", ONNX_INT32))
        .node("Add", List.of("wide0", "wide1"), List.of("sum"))
        .node("Sub", List.of("wide0", "wide1"), List.of("difference"))
        .node("Cast", List.of("sum"), List.of("OUTPUT0"), Map.of("to", ONNX_INT8))
        .node("Cast", List.of("difference"), List.of("OUTPUT1"), Map.of("to", ONNX_INT8))
        .writeTo(modelFile);
  }
}
