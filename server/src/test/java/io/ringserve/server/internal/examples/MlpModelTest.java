package io.ringserve.server.internal.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringserve.batching.Batch;
import io.ringserve.batching.ModelRunner;
import io.ringserve.batching.Tensor;
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

class MlpModelTest {
  private static final double TOLERANCE = 1e-5;

  @TempDir static Path dir;
  private static MlpWeights weights;
  private static MlpReference reference;
  private static TensorFlowSavedModel model;

  @BeforeAll
  static void exportAndLoad() throws Exception {
    weights = MlpWeights.generate(MlpWeights.DEFAULT_SEED);
    reference = new MlpReference(weights);
    MlpModel.export(dir.resolve("mlp"), weights, new SavedModelWriter(TestServers.pools()));
    model = TensorFlowSavedModel.load(dir.resolve("mlp"), TensorFlowOptions.DEFAULTS);
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void shouldDeclareItsSignature() {
    assertEquals(
        List.of(new TensorSpec("INPUT0", DataType.FP32, new long[] {-1, 784})), model.inputs());
    assertEquals(
        List.of(new TensorSpec("OUTPUT0", DataType.FP32, new long[] {-1, 10})), model.outputs());
  }

  @Test
  void shouldMatchThePlainJavaReferenceForOneRow() throws Exception {
    assertMatchesReference(1, 1);
  }

  @Test
  void shouldMatchThePlainJavaReferenceForAFullBatch() throws Exception {
    assertMatchesReference(MlpModel.MAX_BATCH_SIZE, 2);
  }

  @Test
  void shouldGiveTheSameWeightsForTheSameSeed() {
    MlpWeights again = MlpWeights.generate(MlpWeights.DEFAULT_SEED);
    for (int layer = 0; layer < weights.layerCount(); layer++) {
      assertEquals(
          java.util.Arrays.hashCode(weights.weights(layer)),
          java.util.Arrays.hashCode(again.weights(layer)));
      assertEquals(
          java.util.Arrays.hashCode(weights.bias(layer)),
          java.util.Arrays.hashCode(again.bias(layer)));
    }
  }

  private static void assertMatchesReference(int rows, long seed) throws Exception {
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

    List<Tensor> outputs;
    try (ModelRunner runner = model.newRunner()) {
      outputs = runner.run(Batch.direct(rows, List.of(input), Set.of()));
    }

    assertEquals(1, outputs.size());
    Tensor output = outputs.get(0);
    assertEquals("OUTPUT0", output.name());
    assertEquals(List.of((long) rows, 10L), List.of(output.dim(0), output.dim(1)));
    FloatBuffer actual = output.data().asFloatBuffer();
    double largestError = 0;
    double largestProbability = 0;
    for (int r = 0; r < rows; r++) {
      double[] expected = reference.apply(inputs[r]);
      for (int o = 0; o < 10; o++) {
        double got = actual.get(r * 10 + o);
        largestError = Math.max(largestError, Math.abs(got - expected[o]));
        largestProbability = Math.max(largestProbability, got);
      }
    }
    assertTrue(largestError <= TOLERANCE, "max abs error " + largestError);
    // Neither one-hot nor uniform: either would hide most errors.
    assertTrue(
        largestProbability > 0.11 && largestProbability < 0.99,
        "largest probability " + largestProbability);
  }
}
