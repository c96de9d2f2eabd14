package io.ringserve.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Requests to the example {@code simple} model and checks of its answers (sum, difference). */
final class SimpleModel {
  private SimpleModel() {}

  /** A request with INPUT0 = seed + i and INPUT1 = 2 * i, for i in 0..15. */
  static InferRequest request(int seed) {
    return InferRequest.builder("simple")
        .input(Tensor.of("INPUT0", input0(seed), 1, 16))
        .input(Tensor.of("INPUT1", input1(), 1, 16))
        .build();
  }

  static int[] input0(int seed) {
    int[] a = new int[16];
    for (int i = 0; i < 16; i++) {
      a[i] = seed + i;
    }
    return a;
  }

  static int[] input1() {
    int[] b = new int[16];
    for (int i = 0; i < 16; i++) {
      b[i] = 2 * i;
    }
    return b;
  }

  /** Fails unless {@code result} is the answer to {@link #request(int)} with {@code seed}. */
  static void check(int seed, InferResult result) {
    int[] sum = new int[16];
    int[] difference = new int[16];
    for (int i = 0; i < 16; i++) {
      sum[i] = seed + i + 2 * i;
      difference[i] = seed + i - 2 * i;
    }
    assertArrayEquals(sum, result.output("OUTPUT0").asInts(), "OUTPUT0 for seed " + seed);
    assertArrayEquals(difference, result.output("OUTPUT1").asInts(), "OUTPUT1 for seed " + seed);
  }
}
