package io.ringserve.server.cli;

import io.ringserve.server.QueuedBytesLimits;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The {@code serve} flags of {@link QueuedBytesLimits}; a picocli mixin. Defaults follow -Xmx. */
final class QueuedBytesOptions {
  @Option(
      names = "--max-queued-input-bytes",
      paramLabel = "BYTES",
      description =
          "Bytes of input tensors that accepted, unanswered requests of all models may hold; a"
              + " request that does not fit is answered UNAVAILABLE at once (default: a quarter"
              + " of the maximum heap).")
  Long maxBytes;

  @Option(
      names = "--max-queued-input-bytes-per-model",
      paramLabel = "BYTES",
      description =
          "The same for one model version's requests (default: an eighth of the maximum heap).")
  Long maxBytesPerModel;

  /**
   * The limits the flags say.
   *
   * @throws ParameterException naming the flag out of range
   */
  QueuedBytesLimits limits(CommandLine commandLine) {
    QueuedBytesLimits defaults = QueuedBytesLimits.defaults();
    long all = maxBytes != null ? maxBytes : defaults.maxBytes();
    long perModel = maxBytesPerModel != null ? maxBytesPerModel : defaults.maxBytesPerModel();
    if (all < 1) {
      throw new ParameterException(
          commandLine, "--max-queued-input-bytes must be 1 or more, got " + all);
    }
    if (perModel < 1) {
      throw new ParameterException(
          commandLine, "--max-queued-input-bytes-per-model must be 1 or more, got " + perModel);
    }
    return new QueuedBytesLimits(all, perModel);
  }
}
