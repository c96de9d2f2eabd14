package io.ringserve.server.internal.metrics;

import io.ringserve.batching.ModelScheduler;
import java.util.Objects;

/**
 * One served model version as the metrics see it: the {@code model} and {@code version} labels and
 * the scheduler whose statistics they report.
 *
 * <p>The seam between the metrics and the model repository: the server adapts its repository to a
 * supplier of these, tests supply fakes. Immutable.
 *
 * @param model the model name (Triton's {@code model} label)
 * @param version the version as the protocol writes it (Triton's {@code version} label)
 * @param scheduler the scheduler that runs this version's requests
 */
public record ModelSource(String model, String version, ModelScheduler scheduler) {
  public ModelSource {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(scheduler, "scheduler");
    if (model.isEmpty()) {
      throw new IllegalArgumentException("model must not be empty");
    }
  }
}
