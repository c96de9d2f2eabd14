package io.ringserve.server.internal.examples;

import io.ringserve.server.model.TensorSpec;
import io.ringserve.wire.DataType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TString;

/**
 * Triton's quickstart models {@code simple} and {@code simple_string}: two inputs of 16 elements,
 * their element-wise sum and difference as outputs. Triton's example clients ({@code
 * simple_grpc_infer_client.py}, {@code simple_grpc_string_infer_client.py}, ...) use them
 * unchanged.
 *
 * <p>Stateless and thread-safe.
 */
final class SimpleModels {
  static final String SIMPLE = "simple";
  static final String SIMPLE_STRING = "simple_string";

  /** Elements per request row. */
  static final int WIDTH = 16;

  /** Requests of up to 8 rows, as in Triton's config. */
  static final int MAX_BATCH_SIZE = 8;

  private SimpleModels() {}

  /** The config of {@code simple} or {@code simple_string}. */
  static String config(String name) {
    boolean strings = name.equals(SIMPLE_STRING);
    DataType type = strings ? DataType.BYTES : DataType.INT32;
    String comment =
        strings
            ? "Triton's quickstart model with string tensors: each element is a decimal integer\n"
                + "as text. OUTPUT0 = INPUT0 + INPUT1, OUTPUT1 = INPUT0 - INPUT1, also as text."
            : "Triton's quickstart model: OUTPUT0 = INPUT0 + INPUT1, OUTPUT1 = INPUT0 - INPUT1,\n"
                + "element-wise over 16 INT32 values per request.";
    // Unlike Triton's quickstart config, batch dynamically: for a model this cheap the cost is
    // the per-call overhead of the engine, which batching shares out. Clients see no difference.
    return ConfigText.of(
        name,
        comment,
        MAX_BATCH_SIZE,
        List.of(spec("INPUT0", type), spec("INPUT1", type)),
        List.of(spec("OUTPUT0", type), spec("OUTPUT1", type)),
        true);
  }

  private static TensorSpec spec(String name, DataType type) {
    return new TensorSpec(name, type, new long[] {WIDTH});
  }

  /** Writes the SavedModel of {@code simple}: INT32 [-1, 16] in and out. */
  static void exportSimple(Path savedModelDir, SavedModelWriter writer) throws IOException {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Placeholder<TInt32> input0 = placeholder(tf, TInt32.class, "INPUT0");
      Placeholder<TInt32> input1 = placeholder(tf, TInt32.class, "INPUT1");
      Operand<TInt32> sum = tf.withName("OUTPUT0").math.add(input0, input1);
      Operand<TInt32> difference = tf.withName("OUTPUT1").math.sub(input0, input1);
      writer.export(graph, signature(input0, input1, sum, difference), savedModelDir);
    }
  }

  /**
   * Writes the SavedModel of {@code simple_string}: strings [-1, 16] in and out, parsed to INT32,
   * added and subtracted, and formatted back as decimal text.
   */
  static void exportSimpleString(Path savedModelDir, SavedModelWriter writer) throws IOException {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Placeholder<TString> input0 = placeholder(tf, TString.class, "INPUT0");
      Placeholder<TString> input1 = placeholder(tf, TString.class, "INPUT1");
      Operand<TInt32> number0 = tf.strings.toNumber(input0, TInt32.class);
      Operand<TInt32> number1 = tf.strings.toNumber(input1, TInt32.class);
      Operand<TString> sum = tf.withName("OUTPUT0").dtypes.asString(tf.math.add(number0, number1));
      Operand<TString> difference =
          tf.withName("OUTPUT1").dtypes.asString(tf.math.sub(number0, number1));
      writer.export(graph, signature(input0, input1, sum, difference), savedModelDir);
    }
  }

  private static <T extends org.tensorflow.types.family.TType> Placeholder<T> placeholder(
      Ops tf, Class<T> type, String name) {
    return tf.withName(name).placeholder(type, Placeholder.shape(Shape.of(-1, WIDTH)));
  }

  private static org.tensorflow.Signature signature(
      Operand<?> input0, Operand<?> input1, Operand<?> output0, Operand<?> output1) {
    return SavedModelWriter.servingSignature()
        .input("INPUT0", input0)
        .input("INPUT1", input1)
        .output("OUTPUT0", output0)
        .output("OUTPUT1", output1)
        .build();
  }
}
