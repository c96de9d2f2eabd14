package io.ringserve.loadtest.cli;

import io.ringserve.loadtest.Target;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The command's options that say which server to reach and how: address, TLS, headers, deadlines.
 */
final class TargetOptions {
  @Option(
      names = {"-u", "--url"},
      paramLabel = "HOST:PORT",
      converter = Converters.AddressConverter.class,
      description =
          "Server address, as perf_analyzer and ringserve-infer take it (default: 127.0.0.1:8001,"
              + " or :8000 with --protocol http; --host and --port set one part).")
  Map.Entry<String, Integer> url;

  @Option(
      names = "--host",
      paramLabel = "HOST",
      defaultValue = "127.0.0.1",
      description = "Server host (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = {"-p", "--port"},
      paramLabel = "PORT",
      description = "Server port (default: 8001 for gRPC, 8000 for HTTP, as Triton).")
  Integer port;

  @Option(names = "--tls", description = "Use TLS (default: plaintext).")
  boolean tls;

  @Option(
      names = {"--cacert", "--ca-cert"},
      paramLabel = "FILE",
      description = "PEM CA certificate to trust (implies --tls).")
  Path caCert;

  @Option(
      names = "--cert",
      paramLabel = "FILE",
      description = "PEM client certificate for mutual TLS (implies --tls).")
  Path cert;

  @Option(names = "--key", paramLabel = "FILE", description = "PEM client private key for --cert.")
  Path key;

  @Option(
      names = "--skip-tls-verify",
      description = "Trust any server certificate (testing only; implies --tls).")
  boolean skipVerify;

  @Option(
      names = "--authority",
      paramLabel = "AUTHORITY",
      description = "Override the :authority header.")
  String authority;

  @Option(
      names = {"-t", "--timeout", "--deadline"},
      paramLabel = "DURATION",
      defaultValue = "20s",
      converter = Converters.DurationConverter.class,
      description = "Per-call deadline, 0 for none (default: ${DEFAULT-VALUE}; unary calls only).")
  Duration deadline;

  @Option(
      names = "--connect-timeout",
      paramLabel = "DURATION",
      defaultValue = "10s",
      converter = Converters.DurationConverter.class,
      description = "Wait for the server's first answer (default: ${DEFAULT-VALUE}).")
  Duration connectTimeout;

  @Option(
      names = {"-H", "--header"},
      paramLabel = "NAME:VALUE",
      converter = Converters.HeaderConverter.class,
      description = "Request metadata 'name: value' sent with every call (repeatable).")
  List<Map.Entry<String, String>> headers = new ArrayList<>();

  /** The {@link Target} these options describe; any TLS file option turns TLS on. */
  Target toTarget() {
    return toTarget(Target.DEFAULT_PORT);
  }

  /** As {@link #toTarget()}, with {@code defaultPort} where no port was given. */
  Target toTarget(int defaultPort) {
    boolean useTls = tls || caCert != null || cert != null || skipVerify;
    Map<String, String> headerMap = new LinkedHashMap<>();
    headers.forEach(e -> headerMap.put(e.getKey(), e.getValue()));
    return new Target(
        url == null ? host : url.getKey(),
        url != null ? url.getValue() : port != null ? port : defaultPort,
        useTls ? new Target.Tls(true, caCert, cert, key, skipVerify) : Target.Tls.PLAINTEXT,
        authority,
        headerMap,
        deadline,
        connectTimeout);
  }
}
