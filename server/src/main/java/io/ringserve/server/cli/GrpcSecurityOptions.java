package io.ringserve.server.cli;

import io.ringserve.server.GrpcSecurity;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The {@code serve} flags of {@link GrpcSecurity}, with Triton's names, so that deployment scripts
 * written for Triton carry over. A picocli mixin.
 */
final class GrpcSecurityOptions {
  @Option(
      names = "--grpc-use-ssl",
      paramLabel = "BOOL",
      arity = "1",
      defaultValue = "false",
      description =
          "Serve gRPC over TLS with --grpc-server-cert and --grpc-server-key (default:"
              + " ${DEFAULT-VALUE}). Changed files are used for new connections without a"
              + " restart.")
  boolean useSsl;

  @Option(
      names = "--grpc-use-ssl-mutual",
      paramLabel = "BOOL",
      arity = "1",
      defaultValue = "false",
      description =
          "Mutual TLS: clients must present a certificate that chains to --grpc-root-cert"
              + " (implies --grpc-use-ssl; default: ${DEFAULT-VALUE}).")
  boolean useSslMutual;

  @Option(
      names = "--grpc-server-cert",
      paramLabel = "FILE",
      description = "PEM certificate chain of the server.")
  Path serverCert;

  @Option(
      names = "--grpc-server-key",
      paramLabel = "FILE",
      description = "PEM private key of the server (PKCS#8, unencrypted).")
  Path serverKey;

  @Option(
      names = "--grpc-root-cert",
      paramLabel = "FILE",
      description = "PEM certificates that client certificates must chain to (mutual TLS).")
  Path rootCert;

  @Option(
      names = "--grpc-restricted-protocol",
      paramLabel = "<protocol>[,...]:<key>=<value>",
      description =
          "Serve the methods of these protocol groups only to calls with header"
              + " triton-grpc-protocol-<key>: <value>; others get UNAVAILABLE (repeatable; groups:"
              + " health, metadata, inference, shared-memory, model-config, model-repository,"
              + " statistics, trace, logging).")
  List<String> restrictedProtocols = new ArrayList<>();

  @Option(
      names = "--reflection",
      paramLabel = "BOOL",
      arity = "1",
      defaultValue = "true",
      description =
          "Serve gRPC server reflection, for grpcurl and ghz (default: ${DEFAULT-VALUE}).")
  boolean reflection;

  /**
   * The security the flags say.
   *
   * @throws IllegalArgumentException naming the flag that is wrong or missing
   */
  GrpcSecurity security() {
    GrpcSecurity security = GrpcSecurity.defaults().withReflection(reflection);
    if (useSsl || useSslMutual) {
      if (serverCert == null || serverKey == null) {
        throw new IllegalArgumentException(
            "--grpc-use-ssl needs --grpc-server-cert and --grpc-server-key");
      }
      security =
          security.withTls(new GrpcSecurity.Tls(serverCert, serverKey, rootCert, useSslMutual));
    } else if (serverCert != null || serverKey != null || rootCert != null) {
      throw new IllegalArgumentException(
          "--grpc-server-cert, --grpc-server-key and --grpc-root-cert need --grpc-use-ssl true");
    }
    for (String spec : restrictedProtocols) {
      security = security.withRestriction(GrpcSecurity.Restriction.parse(spec));
    }
    return security;
  }
}
