package io.ringserve.client.internal;

import java.util.Arrays;

/** Shape arithmetic with checks whose messages name the tensor. Stateless. */
public final class Shapes {
  private Shapes() {}

  /**
   * The number of elements of a shape.
   *
   * @throws IllegalArgumentException if a dimension is negative or the product overflows
   */
  public static long elementCount(String tensor, long[] shape) {
    long count = 1;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 0) {
        throw new IllegalArgumentException(
            "tensor "
                + tensor
                + ": shape "
                + Arrays.toString(shape)
                + " has a negative dimension at index "
                + i
                + "; a request's shapes must be concrete");
      }
      try {
        count = Math.multiplyExact(count, shape[i]);
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException(
            "tensor " + tensor + ": shape " + Arrays.toString(shape) + " has too many elements", e);
      }
    }
    return count;
  }

  /**
   * Checks that {@code valueCount} values fill {@code shape} exactly.
   *
   * @throws IllegalArgumentException naming the tensor, the shape and both counts otherwise
   */
  public static void requireCount(String tensor, long[] shape, long valueCount) {
    long expected = elementCount(tensor, shape);
    if (expected != valueCount) {
      throw new IllegalArgumentException(
          "tensor "
              + tensor
              + ": shape "
              + Arrays.toString(shape)
              + " needs "
              + expected
              + " element(s) but "
              + valueCount
              + " were given");
    }
  }
}
