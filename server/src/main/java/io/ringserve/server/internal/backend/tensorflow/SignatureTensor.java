package io.ringserve.server.internal.backend.tensorflow;

import io.ringserve.server.model.TensorSpec;
import io.ringserve.wire.DataType;
import java.util.Objects;
import org.tensorflow.types.family.TType;

/**
 * One input or output of a model's serving signature: the key callers use, the graph tensor behind
 * it and its declared type and shape.
 *
 * <p>Immutable.
 *
 * @param spec the name callers use (the signature key), the protocol type and the declared shape
 *     with -1 for unknown dimensions
 * @param operation the graph operation that produces or receives the tensor
 * @param outputIndex which output of {@code operation} the tensor is
 * @param tensorClass the TensorFlow Java class that holds tensors of this type
 */
record SignatureTensor(
    TensorSpec spec, String operation, int outputIndex, Class<? extends TType> tensorClass) {

  SignatureTensor {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(tensorClass, "tensorClass");
    if (outputIndex < 0) {
      throw new IllegalArgumentException("outputIndex must be >= 0, got " + outputIndex);
    }
  }

  /** The signature key, which is the tensor's name on the wire. */
  String key() {
    return spec.name();
  }

  DataType dataType() {
    return spec.dataType();
  }
}
