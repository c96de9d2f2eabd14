package io.ringserve.server;

import java.io.IOException;
import java.util.List;

/**
 * Models failed to load at start and the server was told to exit on error ({@code --exit-on-error},
 * Triton's default): the server has stopped. The message is one line naming the first model that
 * failed and why; {@link #failures()} holds them all.
 */
public final class ModelsFailedToLoadException extends IOException {
  private static final long serialVersionUID = 1L;

  private final List<String> failures;

  public ModelsFailedToLoadException(List<String> failures) {
    super(
        failures.get(0)
            + (failures.size() > 1 ? " (and " + (failures.size() - 1) + " more failure(s))" : ""));
    this.failures = List.copyOf(failures);
  }

  /** Every failure, one line each. */
  public List<String> failures() {
    return failures;
  }
}
