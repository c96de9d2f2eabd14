package io.ringserve.server.internal.examples;

/**
 * The {@code mlp} example computed in plain Java, in double precision from the float weights:
 * softmax(W3 relu(W2 relu(W1 x + b1) + b2) + b3), one row at a time.
 */
public final class MlpReference {
  private final MlpWeights weights;
  private final float[][] matrices;
  private final float[][] biases;

  public MlpReference(MlpWeights weights) {
    this.weights = weights;
    this.matrices = new float[weights.layerCount()][];
    this.biases = new float[weights.layerCount()][];
    for (int layer = 0; layer < weights.layerCount(); layer++) {
      matrices[layer] = weights.weights(layer);
      biases[layer] = weights.bias(layer);
    }
  }

  /** The output row for input row {@code input} (784 values). */
  public double[] apply(float[] input) {
    double[] activations = new double[input.length];
    for (int i = 0; i < input.length; i++) {
      activations[i] = input[i];
    }
    for (int layer = 0; layer < weights.layerCount(); layer++) {
      int outputs = weights.outputsOf(layer);
      double[] next = new double[outputs];
      for (int o = 0; o < outputs; o++) {
        next[o] = biases[layer][o];
      }
      float[] matrix = matrices[layer];
      for (int i = 0; i < activations.length; i++) {
        double a = activations[i];
        if (a == 0) {
          continue;
        }
        int row = i * outputs;
        for (int o = 0; o < outputs; o++) {
          next[o] += a * matrix[row + o];
        }
      }
      if (layer + 1 < weights.layerCount()) {
        for (int o = 0; o < outputs; o++) {
          next[o] = Math.max(0, next[o]);
        }
      }
      activations = next;
    }
    return softmax(activations);
  }

  private static double[] softmax(double[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (double logit : logits) {
      max = Math.max(max, logit);
    }
    double sum = 0;
    double[] out = new double[logits.length];
    for (int i = 0; i < logits.length; i++) {
      out[i] = Math.exp(logits[i] - max);
      sum += out[i];
    }
    for (int i = 0; i < out.length; i++) {
      out[i] /= sum;
    }
    return out;
  }
}
