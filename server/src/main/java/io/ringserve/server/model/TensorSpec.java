package io.ringserve.server.model;

import io.ringserve.wire.DataType;
import java.util.Arrays;
import java.util.Objects;

/**
 * The declared name, type and shape of one model input or output. In a model's own signature the
 * shape is the full shape with -1 for variable dimensions (including a batch dimension); in a
 * Triton model config it excludes the batch dimension when the model batches.
 *
 * <p>Immutable.
 */
public record TensorSpec(String name, DataType dataType, long[] shape) {

  public TensorSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dataType, "dataType");
    shape = Objects.requireNonNull(shape, "shape").clone();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec other
        && name.equals(other.name)
        && dataType == other.dataType
        && Arrays.equals(shape, other.shape);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, dataType, Arrays.hashCode(shape));
  }

  @Override
  public String toString() {
    return name + ":" + dataType + Arrays.toString(shape);
  }
}
