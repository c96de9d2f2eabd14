package io.ringserve.server.internal.examples;

import java.util.SplittableRandom;

/**
 * The fixed weights of the {@code mlp} example model: a 784-1024-1024-10 network (two ReLU hidden
 * layers, then softmax), the shape of an MNIST classifier.
 *
 * <p>The weights are not trained: they are drawn from a seeded {@link SplittableRandom} with
 * Glorot-uniform scale, ±sqrt(6 / (fan_in + fan_out)), so that activations neither vanish nor
 * explode and the softmax outputs of typical inputs in [0, 1) are spread out rather than one-hot.
 * The same seed always gives the same bits, on every JVM, which lets tests recompute the model's
 * outputs in plain Java.
 *
 * <p>Immutable and thread-safe. Generating takes about 20 ms and holds about 7 MiB.
 */
public final class MlpWeights {
  /** The seed the bundled {@code mlp} model is generated from. */
  public static final long DEFAULT_SEED = 0x5EED_2024L;

  /** Units per layer, input first: 784 inputs, two hidden layers of 1024, 10 outputs. */
  private static final int[] UNITS = {784, 1024, 1024, 10};

  /** Biases are small so that they matter without dominating the products. */
  private static final double BIAS_SCALE = 0.05;

  private final float[][] weights;
  private final float[][] biases;

  private MlpWeights(float[][] weights, float[][] biases) {
    this.weights = weights;
    this.biases = biases;
  }

  /** Draws every weight and bias, layer by layer, from a generator seeded with {@code seed}. */
  public static MlpWeights generate(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int layers = UNITS.length - 1;
    float[][] weights = new float[layers][];
    float[][] biases = new float[layers][];
    for (int layer = 0; layer < layers; layer++) {
      int in = UNITS[layer];
      int out = UNITS[layer + 1];
      double limit = Math.sqrt(6.0 / (in + out));
      weights[layer] = uniform(random, in * out, limit);
      biases[layer] = uniform(random, out, BIAS_SCALE);
    }
    return new MlpWeights(weights, biases);
  }

  private static float[] uniform(SplittableRandom random, int count, double limit) {
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = (float) random.nextDouble(-limit, limit);
    }
    return values;
  }

  /** The number of dense layers, 3. */
  public int layerCount() {
    return weights.length;
  }

  /** The width of the model's input, 784. */
  public int inputSize() {
    return UNITS[0];
  }

  /** The width of the model's output, 10. */
  public int outputSize() {
    return UNITS[UNITS.length - 1];
  }

  /** The number of inputs of dense layer {@code layer} (0-based). */
  public int inputsOf(int layer) {
    checkLayer(layer);
    return UNITS[layer];
  }

  /** The number of outputs of dense layer {@code layer} (0-based). */
  public int outputsOf(int layer) {
    checkLayer(layer);
    return UNITS[layer + 1];
  }

  /**
   * A copy of the weight matrix of layer {@code layer}, row-major with shape [inputs, outputs]: the
   * weight from input {@code i} to output {@code o} is at {@code i * outputsOf(layer) + o}.
   */
  public float[] weights(int layer) {
    checkLayer(layer);
    return weights[layer].clone();
  }

  /** A copy of the bias vector of layer {@code layer}, one per output. */
  public float[] bias(int layer) {
    checkLayer(layer);
    return biases[layer].clone();
  }

  private void checkLayer(int layer) {
    if (layer < 0 || layer >= weights.length) {
      throw new IllegalArgumentException(
          "layer must be in [0, " + weights.length + "), got " + layer);
    }
  }
}
