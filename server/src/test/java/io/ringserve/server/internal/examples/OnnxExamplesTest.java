package io.ringserve.server.internal.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inference.ModelConfigOuterClass.ModelConfig;
import io.ringserve.batching.Batch;
import io.ringserve.batching.ModelRunner;
import io.ringserve.batching.Tensor;
import io.ringserve.server.backend.BackendOptions;
import io.ringserve.server.backend.LoadedModel;
import io.ringserve.server.internal.backend.onnx.OnnxRuntimeBackend;
import io.ringserve.server.internal.backend.tensorflow.TensorFlowOptions;
import io.ringserve.server.internal.backend.tensorflow.TensorFlowSavedModel;
import io.ringserve.server.model.TensorSpec;
import io.ringserve.server.testing.TestServers;
import io.ringserve.wire.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ONNX examples compute what their TensorFlow twins and the plain-Java reference compute. */
class OnnxExamplesTest {
  private static final double TOLERANCE = 1e-5;

  @TempDir static Path dir;
  private static MlpWeights weights;
  private static LoadedModel mlpOnnx;
  private static LoadedModel simpleOnnx;
  private static TensorFlowSavedModel mlp;

  @BeforeAll
  static void writeAndLoad() throws Exception {
    weights = MlpWeights.generate(MlpWeights.DEFAULT_SEED);
    OnnxExamples.writeMlp(dir.resolve("mlp.onnx"), weights);
    OnnxExamples.writeSimple(dir.resolve("simple.onnx"));
    MlpModel.export(dir.resolve("mlp"), weights, new SavedModelWriter(TestServers.pools()));
    OnnxRuntimeBackend backend = new OnnxRuntimeBackend();
    mlpOnnx =
        backend.load(
            dir.resolve("mlp.onnx"), ModelConfig.getDefaultInstance(), BackendOptions.DEFAULT);
    simpleOnnx =
        backend.load(
            dir.resolve("simple.onnx"), ModelConfig.getDefaultInstance(), BackendOptions.DEFAULT);
    mlp = TensorFlowSavedModel.load(dir.resolve("mlp"), TensorFlowOptions.DEFAULTS);
  }

  @AfterAll
  static void close() {
    mlpOnnx.close();
    simpleOnnx.close();
    mlp.close();
  }

  @Test
  void shouldDeclareTheSameSignaturesAsTheTensorFlowTwins() {
    assertEquals(mlp.inputs(), mlpOnnx.inputs());
    assertEquals(mlp.outputs(), mlpOnnx.outputs());
    assertEquals(
        List.of(
            new TensorSpec("INPUT0", DataType.INT32, new long[] {-1, 16}),
            new TensorSpec("INPUT1", DataType.INT32, new long[] {-1, 16})),
        simpleOnnx.inputs());
    assertEquals(
        List.of("OUTPUT0", "OUTPUT1"),
        simpleOnnx.outputs().stream().map(TensorSpec::name).toList());
  }

  @Test
  void shouldAddAndSubtractInSimpleOnnx() throws Exception {
    int[] a = new int[32];
    int[] b = new int[32];
    int[] sum = new int[32];
    int[] difference = new int[32];
    for (int i = 0; i < 32; i++) {
      a[i] = i * 7 - 100;
      b[i] = i % 3 == 0 ? -1 : 5;
      sum[i] = a[i] + b[i];
      difference[i] = a[i] - b[i];
    }
    try (ModelRunner runner = simpleOnnx.newRunner()) {
      List<Tensor> outputs =
          runner.run(Batch.direct(2, List.of(ints("INPUT0", a), ints("INPUT1", b)), Set.of()));

      assertEquals(List.of("OUTPUT0", "OUTPUT1"), outputs.stream().map(Tensor::name).toList());
      assertArrayEquals(new long[] {2, 16}, outputs.get(0).shape());
      assertArrayEquals(sum, toInts(outputs.get(0)));
      assertArrayEquals(difference, toInts(outputs.get(1)));
    }
  }

  @Test
  void shouldMatchTheReferenceAndTheTensorFlowMlpForOneRow() throws Exception {
    assertMlpOnnxMatches(1, 3);
  }

  @Test
  void shouldMatchTheReferenceAndTheTensorFlowMlpForAFullBatch() throws Exception {
    assertMlpOnnxMatches(MlpModel.MAX_BATCH_SIZE, 4);
  }

  private static void assertMlpOnnxMatches(int rows, long seed) throws Exception {
    MlpReference reference = new MlpReference(weights);
    SplittableRandom random = new SplittableRandom(seed);
    float[][] inputs = new float[rows][784];
    ByteBuffer data = ByteBuffer.allocate(rows * 784 * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] row : inputs) {
      for (int i = 0; i < row.length; i++) {
        row[i] = (float) random.nextDouble();
        data.putFloat(row[i]);
      }
    }
    Tensor input = Tensor.of("INPUT0", DataType.FP32, new long[] {rows, 784}, data.flip());
    FloatBuffer onnx = runOnce(mlpOnnx, rows, input);
    FloatBuffer tensorFlow = runOnce(mlp, rows, input);

    double errorToReference = 0;
    double errorToTensorFlow = 0;
    for (int r = 0; r < rows; r++) {
      double[] expected = reference.apply(inputs[r]);
      for (int o = 0; o < 10; o++) {
        double got = onnx.get(r * 10 + o);
        errorToReference = Math.max(errorToReference, Math.abs(got - expected[o]));
        errorToTensorFlow = Math.max(errorToTensorFlow, Math.abs(got - tensorFlow.get(r * 10 + o)));
      }
    }
    assertTrue(errorToReference <= TOLERANCE, "max abs error to the reference " + errorToReference);
    assertTrue(errorToTensorFlow <= TOLERANCE, "max abs error to mlp " + errorToTensorFlow);
  }

  private static FloatBuffer runOnce(LoadedModel model, int rows, Tensor input) throws Exception {
    try (ModelRunner runner = model.newRunner()) {
      List<Tensor> outputs = runner.run(Batch.direct(rows, List.of(input), Set.of()));
      assertEquals(1, outputs.size());
      assertArrayEquals(new long[] {rows, 10}, outputs.get(0).shape());
      return outputs.get(0).data().asFloatBuffer();
    }
  }

  private static Tensor ints(String name, int[] values) {
    ByteBuffer data = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int value : values) {
      data.putInt(value);
    }
    return Tensor.of(name, DataType.INT32, new long[] {values.length / 16, 16}, data.flip());
  }

  private static int[] toInts(Tensor tensor) {
    int[] values = new int[(int) tensor.elementCount()];
    tensor.data().asIntBuffer().get(values);
    return values;
  }
}
