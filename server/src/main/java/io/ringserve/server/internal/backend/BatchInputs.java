package io.ringserve.server.internal.backend;

import io.ringserve.batching.Batch;
import io.ringserve.batching.InferenceException;
import io.ringserve.batching.Tensor;
import io.ringserve.server.model.TensorSpec;
import java.util.Arrays;
import java.util.List;

/**
 * The checks every runner makes before handing a batch to its engine: each input is one the model
 * has, with the model's datatype and a shape its declared dimensions allow. The server validates
 * requests against the config first; these catch a config that contradicts the model, and callers
 * of a runner that bypass the server.
 *
 * <p>Stateless and thread-safe. Failures are {@link InferenceException.Reason#INVALID_INPUT} naming
 * the tensor.
 */
public final class BatchInputs {
  private BatchInputs() {}

  /** Fails if the batch holds an input the model does not have. */
  public static void checkNames(Batch batch, List<TensorSpec> modelInputs) {
    // Called once per batch: plain loops, no stream or lambda per input.
    List<Tensor> inputs = batch.inputs();
    for (int i = 0; i < inputs.size(); i++) {
      String name = inputs.get(i).name();
      boolean known = false;
      for (int j = 0; !known && j < modelInputs.size(); j++) {
        known = modelInputs.get(j).name().equals(name);
      }
      if (!known) {
        throw invalid("input '" + name + "' is not an input of the model");
      }
    }
  }

  /** The batch's input for {@code spec}, checked for presence, datatype and shape. */
  public static Tensor checked(Batch batch, TensorSpec spec) {
    Tensor input = batch.input(spec.name());
    if (input == null) {
      throw invalid("input '" + spec.name() + "' is missing");
    }
    if (input.dataType() != spec.dataType()) {
      throw invalid(
          "input '"
              + spec.name()
              + "' has datatype "
              + input.dataType()
              + " but the model expects "
              + spec.dataType());
    }
    long[] declared = spec.shape();
    boolean fits = input.rank() == declared.length;
    for (int d = 0; fits && d < declared.length; d++) {
      fits = declared[d] < 0 || declared[d] == input.dim(d);
    }
    if (!fits) {
      throw invalid(
          "input '"
              + spec.name()
              + "' has shape "
              + Arrays.toString(input.shape())
              + " but the model expects "
              + Arrays.toString(declared));
    }
    return input;
  }

  /** An INVALID_INPUT failure with {@code message}. */
  public static InferenceException invalid(String message) {
    return new InferenceException(InferenceException.Reason.INVALID_INPUT, message);
  }
}
