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
import io.ringserve.server.model.TensorSpec;
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

/** The {@code fraud} example computes what its plain-Java reference computes, on raw features. */
class FraudModelTest {
  private static final double TOLERANCE = 1e-5;

  @TempDir static Path dir;
  private static LoadedModel fraud;

  @BeforeAll
  static void writeAndLoad() throws Exception {
    FraudModel.write(dir.resolve("fraud.onnx"));
    fraud =
        new OnnxRuntimeBackend()
            .load(
                dir.resolve("fraud.onnx"),
                ModelConfig.getDefaultInstance(),
                BackendOptions.DEFAULT);
  }

  @AfterAll
  static void close() {
    fraud.close();
  }

  @Test
  void shouldTakeThirtyNamedFeaturesAndGiveOneProbability() throws Exception {
    assertEquals(
        List.of(new TensorSpec("transaction", DataType.FP32, new long[] {-1, 30})), fraud.inputs());
    assertEquals(
        List.of(new TensorSpec("probability", DataType.FP32, new long[] {-1, 1})), fraud.outputs());
    assertEquals("Time", FraudModel.FEATURES.get(0));
    assertEquals("V14", FraudModel.FEATURES.get(14));
    assertEquals("Amount", FraudModel.FEATURES.get(29));
    String config = FraudModel.config();
    assertTrue(config.contains("max_batch_size: 1024\n"), config);
    assertTrue(config.contains("dims: [ 30 ]"), config);
    assertTrue(config.contains("dynamic_batching { }\n"), config);
  }

  @Test
  void shouldMatchTheReferenceOnTypicalAndSuspiciousTransactions() throws Exception {
    int rows = 64;
    SplittableRandom random = new SplittableRandom(11);
    float[][] x = new float[rows][30];
    ByteBuffer data = ByteBuffer.allocate(rows * 30 * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int r = 0; r < rows; r++) {
      for (int i = 0; i < 30; i++) {
        double z = random.nextGaussian();
        // Every other row leans along the signal, so that both ends of the sigmoid are checked.
        double shift = r % 2 == 0 ? 0 : 2.0 * Math.signum(FraudModel.SIGNAL.get(i));
        x[r][i] = (float) (FraudModel.MEANS.get(i) + (z + shift) * FraudModel.SCALES.get(i));
        data.putFloat(x[r][i]);
      }
    }
    Tensor input = Tensor.of("transaction", DataType.FP32, new long[] {rows, 30}, data.flip());
    FloatBuffer got;
    try (ModelRunner runner = fraud.newRunner()) {
      List<Tensor> outputs = runner.run(Batch.direct(rows, List.of(input), Set.of()));
      assertArrayEquals(new long[] {rows, 1}, outputs.get(0).shape());
      got = outputs.get(0).data().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    }
    double low = 1;
    double high = 0;
    for (int r = 0; r < rows; r++) {
      double expected = FraudModel.bundled().probability(x[r]);
      assertEquals(expected, got.get(r), TOLERANCE, "row " + r);
      if (r % 2 == 0) {
        low = Math.min(low, expected);
      } else {
        high = Math.max(high, expected);
      }
    }
    assertTrue(low < 0.01, "typical transactions score low, lowest " + low);
    assertTrue(high > 0.9, "suspicious transactions score high, highest " + high);
  }
}
