package io.ringserve.server.internal.backend.tensorflow;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/** Small SavedModels built for backend tests. */
public final class TestSavedModels {
  private TestSavedModels() {}

  /**
   * One input {@code IN_<TYPE>} per class of {@code types}, each of shape [-1, 3], and an output
   * {@code OUT_<TYPE>} that is its identity.
   */
  public static void identities(Path dir, Map<String, Class<? extends TType>> types)
      throws IOException {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Signature.Builder signature = Signature.builder().key(Signature.DEFAULT_KEY);
      for (Map.Entry<String, Class<? extends TType>> type : types.entrySet()) {
        Placeholder<? extends TType> input =
            tf.withName("in_" + type.getKey())
                .placeholder(type.getValue(), Placeholder.shape(Shape.of(-1, 3)));
        signature
            .input("IN_" + type.getKey(), input)
            .output("OUT_" + type.getKey(), tf.withName("out_" + type.getKey()).identity(input));
      }
      export(graph, signature.build(), dir);
    }
  }

  /** One FP32 input {@code X} of shape [-1, -1] and its identity {@code Y} as output. */
  static void matrixIdentity(Path dir) throws IOException {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> input =
          tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1)));
      export(
          graph,
          Signature.builder().input("X", input).output("Y", tf.identity(input)).build(),
          dir);
    }
  }

  /** One input {@code X} whose shape is unknown, even its rank, and its identity as output. */
  static void unknownRank(Path dir, Class<? extends TType> type) throws IOException {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Placeholder<? extends TType> input =
          tf.withName("x").placeholder(type, Placeholder.shape(Shape.unknown()));
      export(
          graph,
          Signature.builder().input("X", input).output("Y", tf.identity(input)).build(),
          dir);
    }
  }

  /** A placeholder {@code X} of DT_INT8, which TensorFlow Java has no tensor class for. */
  static void int8Input(Path dir) throws IOException {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      GraphOperation input =
          graph
              .opBuilder("Placeholder", "x", tf.scope())
              .setAttr("dtype", org.tensorflow.proto.DataType.DT_INT8)
              .build();
      GraphOperation output =
          graph.opBuilder("Identity", "y", tf.scope()).addInput(input.output(0)).build();
      export(
          graph,
          Signature.builder().input("X", input.output(0)).output("Y", output.output(0)).build(),
          dir);
    }
  }

  private static void export(Graph graph, Signature signature, Path dir) throws IOException {
    try (Session session = new Session(graph)) {
      SavedModelBundle.exporter(dir.toString())
          .withSession(session)
          .withSignature(signature)
          .export();
    }
  }
}
