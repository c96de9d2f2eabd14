package io.ringserve.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Who may talk to the gRPC port and what they may call: TLS (optionally mutual), Triton's
 * restricted protocols (a header a group of methods requires), and whether server reflection is
 * served.
 *
 * <p>Immutable and thread-safe; read once when the server is built.
 *
 * @param tls the TLS setup, or {@code null} for plaintext
 * @param restrictions the restricted protocol groups; a group appears in at most one
 * @param reflection whether to serve gRPC server reflection (v1 and v1alpha)
 */
public record GrpcSecurity(Tls tls, List<Restriction> restrictions, boolean reflection) {
  /** The protocol groups of Triton's {@code --grpc-restricted-protocol}. */
  public static final Set<String> PROTOCOLS =
      Set.of(
          "health",
          "metadata",
          "inference",
          "shared-memory",
          "model-config",
          "model-repository",
          "statistics",
          "trace",
          "logging");

  /** Triton prefixes a gRPC restriction's header key with this, so that it cannot clash. */
  public static final String GRPC_HEADER_PREFIX = "triton-grpc-protocol-";

  public GrpcSecurity {
    restrictions = List.copyOf(restrictions);
    Set<String> seen = new LinkedHashSet<>();
    for (Restriction r : restrictions) {
      for (String protocol : r.protocols()) {
        if (!seen.add(protocol)) {
          throw new IllegalArgumentException(
              "protocol '" + protocol + "' is restricted more than once");
        }
      }
    }
  }

  /** Plaintext, every protocol open, reflection on. */
  public static GrpcSecurity defaults() {
    return new GrpcSecurity(null, List.of(), true);
  }

  /** This, with {@code tls} ({@code null} for plaintext). */
  public GrpcSecurity withTls(Tls tls) {
    return new GrpcSecurity(tls, restrictions, reflection);
  }

  /** This, with one more restriction. */
  public GrpcSecurity withRestriction(Restriction restriction) {
    List<Restriction> all = new ArrayList<>(restrictions);
    all.add(restriction);
    return new GrpcSecurity(tls, all, reflection);
  }

  /** This, with reflection served or not. */
  public GrpcSecurity withReflection(boolean reflection) {
    return new GrpcSecurity(tls, restrictions, reflection);
  }

  /**
   * The files of the gRPC port's TLS, as Triton's {@code --grpc-server-cert}, {@code
   * --grpc-server-key}, {@code --grpc-root-cert} and {@code --grpc-use-ssl-mutual}. The files are
   * read again when they change on disk, for new connections.
   *
   * @param certificateChain PEM certificate chain of the server
   * @param privateKey PEM private key of the server (PKCS#8, unencrypted)
   * @param rootCertificates PEM certificates that client certificates must chain to; {@code null}
   *     when clients are not authenticated
   * @param mutual whether a client must present a certificate signed by {@code rootCertificates}
   */
  public record Tls(Path certificateChain, Path privateKey, Path rootCertificates, boolean mutual) {
    public Tls {
      Objects.requireNonNull(certificateChain, "certificateChain (--grpc-server-cert)");
      Objects.requireNonNull(privateKey, "privateKey (--grpc-server-key)");
      if (mutual && rootCertificates == null) {
        throw new IllegalArgumentException(
            "--grpc-use-ssl-mutual needs --grpc-root-cert: the certificates clients must chain to");
      }
    }
  }

  /**
   * Methods of {@code protocols} are served only to calls with header {@code key: value}.
   *
   * @param protocols groups of {@link #PROTOCOLS}
   * @param key the header's name as the client sends it (with {@link #GRPC_HEADER_PREFIX})
   * @param value the value the header must have
   */
  public record Restriction(Set<String> protocols, String key, String value) {
    public Restriction {
      protocols = Set.copyOf(protocols);
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
      if (protocols.isEmpty()) {
        throw new IllegalArgumentException("a restriction needs at least one protocol");
      }
      for (String p : protocols) {
        if (!PROTOCOLS.contains(p)) {
          throw new IllegalArgumentException(
              "unknown protocol '"
                  + p
                  + "' in --grpc-restricted-protocol; known: "
                  + String.join(", ", PROTOCOLS.stream().sorted().toList()));
        }
      }
    }

    /**
     * Triton's {@code <protocol>[,<protocol>...]:<key>=<value>}; the header clients must send is
     * {@link #GRPC_HEADER_PREFIX}{@code <key>}.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static Restriction parse(String spec) {
      return parse(spec, "--grpc-restricted-protocol", "protocol", GRPC_HEADER_PREFIX);
    }

    /**
     * Triton's {@code --http-restricted-api=<api>[,<api>...]:<key>=<value>}: the same groups, and
     * the header clients must send is {@code <key>} itself, as Triton's HTTP server reads it.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static Restriction parseHttp(String spec) {
      return parse(spec, "--http-restricted-api", "api", "");
    }

    private static Restriction parse(String spec, String flag, String group, String prefix) {
      int colon = spec.indexOf(':');
      int equals = colon < 0 ? -1 : spec.indexOf('=', colon);
      if (colon <= 0 || equals <= colon + 1) {
        throw new IllegalArgumentException(
            flag
                + " must be <"
                + group
                + ">[,<"
                + group
                + ">...]:<key>=<value>, got '"
                + spec
                + "'");
      }
      Set<String> protocols = new LinkedHashSet<>();
      for (String p : spec.substring(0, colon).split(",")) {
        String name = p.trim().toLowerCase(Locale.ROOT);
        if (!PROTOCOLS.contains(name)) {
          throw new IllegalArgumentException(
              "unknown "
                  + group
                  + " '"
                  + name
                  + "' in "
                  + flag
                  + "; known: "
                  + String.join(", ", PROTOCOLS.stream().sorted().toList()));
        }
        protocols.add(name);
      }
      String key = spec.substring(colon + 1, equals).trim().toLowerCase(Locale.ROOT);
      return new Restriction(protocols, prefix + key, spec.substring(equals + 1));
    }
  }
}
