package io.ringserve.loadtest.internal;

import java.util.List;
import java.util.Objects;

/**
 * One model input as the load generator will send it: name, v2 datatype, and the shape of one batch
 * row. Immutable.
 *
 * @param name input tensor name
 * @param datatype v2 datatype string ({@code FP32}, {@code BYTES}, ...)
 * @param declared the model's full shape from its metadata ({@code -1} for variable dimensions)
 * @param rowShape shape without the batch dimension; {@code -1} only while a data file has yet to
 *     give it
 * @param batchSize rows per request, or 0 when the model has no batch dimension
 */
public record InputLayout(
    String name, String datatype, List<Long> declared, List<Long> rowShape, int batchSize) {
  public InputLayout {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(datatype, "datatype");
    declared = List.copyOf(declared);
    rowShape = List.copyOf(rowShape);
    if (batchSize < 0) {
      throw new IllegalArgumentException("batchSize must be >= 0, got " + batchSize);
    }
  }

  /** This input with another row shape. */
  public InputLayout withRowShape(List<Long> shape) {
    return new InputLayout(name, datatype, declared, shape, batchSize);
  }

  /** Whether every dimension is known. */
  public boolean isResolved() {
    return !rowShape.contains(-1L);
  }

  /** Elements in one batch row (the whole tensor when the model does not batch). */
  public long rowElements() {
    long n = 1;
    for (long d : rowShape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** Elements in the whole tensor of one request. */
  public long elements() {
    return batchSize == 0 ? rowElements() : Math.multiplyExact(rowElements(), batchSize);
  }

  /** The full shape sent on the wire, with the batch dimension first when the model batches. */
  public long[] wireShape() {
    int offset = batchSize == 0 ? 0 : 1;
    long[] shape = new long[rowShape.size() + offset];
    if (offset == 1) {
      shape[0] = batchSize;
    }
    for (int i = 0; i < rowShape.size(); i++) {
      shape[i + offset] = rowShape.get(i);
    }
    return shape;
  }
}
