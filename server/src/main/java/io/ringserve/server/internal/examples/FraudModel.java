package io.ringserve.server.internal.examples;

import io.ringserve.server.model.TensorSpec;
import io.ringserve.wire.DataType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The {@code fraud} example: a logistic-regression scorer over the 30 features of a card
 * transaction, named like the columns of the public credit-card fraud data set ({@code Time},
 * {@code V1} .. {@code V28}, {@code Amount}), for {@code ringserve score} demonstrations.
 *
 * <p>{@code probability = sigmoid(transaction . w + b)}: one MatMul, one Add and one Sigmoid node
 * in ONNX, FP32 {@code transaction [30]} to FP32 {@code probability [1]}, {@code max_batch_size:
 * 1024} with dynamic batching (the model is so cheap that records per call decide throughput).
 *
 * <p>The weights are not trained. They are drawn from a seeded {@link SplittableRandom} as weights
 * over standardized features ({@code (x - mean) / scale}, see {@link #MEANS} and {@link #SCALES}),
 * with fixed, larger weights on the features that carry the signal in the public data set ({@link
 * #SIGNAL}); the standardization is folded into {@code w} and {@code b}, so the graph takes raw
 * values. {@link #probability} computes the same in Java for tests; a transaction generator that
 * draws ordinary rows from the same means and scales, and shifts a few along {@link #SIGNAL}, gets
 * a realistic mix of low and high scores.
 *
 * <p>Immutable and thread-safe.
 */
public final class FraudModel {
  public static final String NAME = "fraud";
  public static final String INPUT = "transaction";
  public static final String OUTPUT = "probability";
  public static final int MAX_BATCH_SIZE = 1024;

  /** The seed the bundled model's weights are drawn from. */
  public static final long SEED = 0xF4A0D_2026L;

  /** The feature names, in the order of the input's elements. */
  public static final List<String> FEATURES = features();

  /** Per feature, the mean the model centres it on (seconds for Time, currency for Amount). */
  public static final List<Double> MEANS = Collections.unmodifiableList(means());

  /** Per feature, the spread the model divides it by: about one standard deviation. */
  public static final List<Double> SCALES = Collections.unmodifiableList(scales());

  /**
   * Per feature, the fixed weight on the standardized value for the features that carry the signal
   * (0 for the others, whose weights are small and seeded).
   */
  public static final List<Double> SIGNAL = Collections.unmodifiableList(signal());

  /** The logit of a transaction at every mean: a base rate of about one in a thousand. */
  static final double BIAS = -7.0;

  /** Seeded weights of the other features are uniform in ±this, on standardized values. */
  private static final double NOISE_WEIGHT = 0.15;

  private static final FraudModel BUNDLED = new FraudModel(SEED);

  private final float[] weights; // on raw values, standardization folded in
  private final float bias;

  private FraudModel(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int n = FEATURES.size();
    double[] standardized = new double[n];
    for (int i = 0; i < n; i++) {
      double noise = random.nextDouble(-NOISE_WEIGHT, NOISE_WEIGHT);
      standardized[i] = SIGNAL.get(i) != 0 ? SIGNAL.get(i) : noise;
    }
    weights = new float[n];
    double b = BIAS;
    for (int i = 0; i < n; i++) {
      weights[i] = (float) (standardized[i] / SCALES.get(i));
      b -= standardized[i] * MEANS.get(i) / SCALES.get(i);
    }
    bias = (float) b;
  }

  /** The bundled model's weights, from {@link #SEED}. */
  public static FraudModel bundled() {
    return BUNDLED;
  }

  /** The model's probability for one transaction's raw features, as the ONNX graph computes it. */
  public double probability(float[] features) {
    if (features.length != weights.length) {
      throw new IllegalArgumentException(
          "a transaction has " + weights.length + " features, got " + features.length);
    }
    double logit = bias;
    for (int i = 0; i < weights.length; i++) {
      logit += (double) weights[i] * features[i];
    }
    return 1 / (1 + Math.exp(-logit));
  }

  static String config() {
    return ConfigText.of(
        NAME,
        ConfigText.ONNX_PLATFORM,
        "A logistic-regression fraud scorer (not trained; seeded weights) over the 30 features of\n"
            + "a card transaction: Time, V1..V28, Amount, in that order.\n"
            + "probability = sigmoid(transaction . w + b). For ringserve score examples.",
        MAX_BATCH_SIZE,
        List.of(new TensorSpec(INPUT, DataType.FP32, new long[] {FEATURES.size()})),
        List.of(new TensorSpec(OUTPUT, DataType.FP32, new long[] {1})),
        true);
  }

  /** Writes the bundled model's {@code model.onnx}. */
  static void write(Path modelFile) throws IOException {
    FraudModel m = bundled();
    int n = FEATURES.size();
    new OnnxModelWriter(NAME)
        .input(INPUT, DataType.FP32, -1, n)
        .output(OUTPUT, DataType.FP32, -1, 1)
        .initializer("w", new long[] {n, 1}, m.weights)
        .initializer("b", new long[] {1}, new float[] {m.bias})
        .node("MatMul", List.of(INPUT, "w"), List.of("logit_w"))
        .node("Add", List.of("logit_w", "b"), List.of("logit"))
        .node("Sigmoid", List.of("logit"), List.of(OUTPUT))
        .writeTo(modelFile);
  }

  private static List<String> features() {
    List<String> names = new ArrayList<>();
    names.add("Time");
    for (int i = 1; i <= 28; i++) {
      names.add("V" + i);
    }
    names.add("Amount");
    return List.copyOf(names);
  }

  private static List<Double> means() {
    List<Double> m = new ArrayList<>();
    m.add(86_400.0); // Time: seconds into a two-day window
    for (int i = 1; i <= 28; i++) {
      m.add(0.0); // V1..V28 are centred components
    }
    m.add(88.0); // Amount
    return m;
  }

  private static List<Double> scales() {
    List<Double> s = new ArrayList<>();
    s.add(50_000.0);
    for (int i = 1; i <= 28; i++) {
      // Components are ordered by variance: the first spreads most.
      s.add(2.0 - 1.6 * (i - 1) / 27.0);
    }
    s.add(250.0);
    return s;
  }

  private static List<Double> signal() {
    List<Double> w = new ArrayList<>(Collections.nCopies(FEATURES.size(), 0.0));
    // Indexes are those of FEATURES: V<k> is at k.
    w.set(14, -1.2);
    w.set(17, -1.0);
    w.set(12, -0.9);
    w.set(10, -0.8);
    w.set(16, -0.6);
    w.set(3, -0.5);
    w.set(7, -0.5);
    w.set(11, 0.6);
    w.set(4, 0.7);
    w.set(2, 0.4);
    return w;
  }
}
