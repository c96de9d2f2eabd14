package io.ringserve.server.cli;

import io.ringserve.server.HttpLimits;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The {@code serve} flags of {@link HttpLimits}; a picocli mixin. Defaults follow -Xmx. */
final class HttpLimitOptions {
  @Option(
      names = "--http-max-connections",
      paramLabel = "N",
      defaultValue = "" + HttpLimits.DEFAULT_MAX_CONNECTIONS,
      description =
          "HTTP connections open at once; more are closed as soon as accepted (default:"
              + " ${DEFAULT-VALUE}).")
  int maxConnections;

  @Option(
      names = "--http-max-buffered-input-bytes",
      paramLabel = "BYTES",
      description =
          "Bytes of HTTP request bodies (after decompression) that all connections together may"
              + " hold until their requests are read; a body that would pass it is answered 503"
              + " (default: an eighth of the maximum heap, at least 16 MiB).")
  Long maxBufferedInputBytes;

  @Option(
      names = "--http-input-receive-timeout-secs",
      paramLabel = "SECONDS",
      defaultValue = "" + HttpLimits.DEFAULT_INPUT_RECEIVE_TIMEOUT_SECONDS,
      description =
          "Time an HTTP request's body may take to arrive after its head; then it is answered 408"
              + " (default: ${DEFAULT-VALUE}; 0 = none).")
  long inputReceiveTimeoutSecs;

  @Option(
      names = "--http-max-request-elements",
      paramLabel = "N",
      description =
          "JSON values and brackets one HTTP request may hold, counted as it is parsed; over it the"
              + " request is answered 400 (default: one per KiB of maximum heap, at least 65536)."
              + " Large tensors belong in the binary data extension, which is not counted per"
              + " value.")
  Long maxRequestElements;

  /**
   * The limits the flags say.
   *
   * @throws ParameterException naming the flag out of range
   */
  HttpLimits limits(CommandLine commandLine) {
    long buffered =
        maxBufferedInputBytes != null
            ? maxBufferedInputBytes
            : HttpLimits.defaultMaxBufferedInputBytes();
    long elements =
        maxRequestElements != null ? maxRequestElements : HttpLimits.defaultMaxRequestElements();
    require(
        commandLine, maxConnections >= 1, "--http-max-connections", "1 or more", maxConnections);
    require(commandLine, buffered >= 1, "--http-max-buffered-input-bytes", "1 or more", buffered);
    require(
        commandLine,
        inputReceiveTimeoutSecs >= 0 && inputReceiveTimeoutSecs <= 86_400,
        "--http-input-receive-timeout-secs",
        "between 0 and 86400",
        inputReceiveTimeoutSecs);
    require(
        commandLine,
        elements >= 1 && elements <= Integer.MAX_VALUE,
        "--http-max-request-elements",
        "between 1 and " + Integer.MAX_VALUE,
        elements);
    return new HttpLimits(
        maxConnections, buffered, Duration.ofSeconds(inputReceiveTimeoutSecs), elements);
  }

  private static void require(
      CommandLine commandLine, boolean holds, String flag, String range, long value) {
    if (!holds) {
      throw new ParameterException(commandLine, flag + " must be " + range + ", got " + value);
    }
  }
}
