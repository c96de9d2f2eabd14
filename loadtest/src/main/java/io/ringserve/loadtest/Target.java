package io.ringserve.loadtest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The server a load test talks to and how: address, transport security, headers sent with every
 * call, and the per-call deadline. Immutable and thread-safe.
 *
 * @param host host name or address
 * @param port gRPC port, 1..65535
 * @param tls {@code null} or {@link Tls#PLAINTEXT} for plaintext (Triton's port 8001 default)
 * @param authority {@code :authority} override, or {@code null}
 * @param headers request metadata sent with every call (names lower-case, as HTTP/2 requires)
 * @param deadline per-call deadline; {@link Duration#ZERO} for none
 * @param connectTimeout how long to wait for the first answer (model metadata) before giving up
 */
public record Target(
    String host,
    int port,
    Tls tls,
    String authority,
    Map<String, String> headers,
    Duration deadline,
    Duration connectTimeout) {

  /** Triton's and RingServe's default gRPC port. */
  public static final int DEFAULT_PORT = 8001;

  /** ghz's default per-call timeout. */
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(20);

  /** Default wait for the server's first answer. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  public Target {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be in [1, 65535], got " + port);
    }
    tls = tls == null ? Tls.PLAINTEXT : tls;
    headers = Map.copyOf(new TreeMap<>(Objects.requireNonNull(headers, "headers")));
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    if (deadline.isNegative()) {
      throw new IllegalArgumentException("deadline must not be negative, got " + deadline);
    }
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("connectTimeout must be positive, got " + connectTimeout);
    }
  }

  /** Plaintext to {@code host:port}, no headers, default deadline and connect timeout. */
  public static Target of(String host, int port) {
    return new Target(
        host, port, Tls.PLAINTEXT, null, Map.of(), DEFAULT_DEADLINE, DEFAULT_CONNECT_TIMEOUT);
  }

  /**
   * Plaintext to {@code HOST:PORT} or {@code [IPV6]:PORT}, as {@link #of}: the one reading of an
   * address the client tools take.
   *
   * @throws IllegalArgumentException naming the value, if it is not such an address
   */
  public static Target parse(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    String host = colon <= 0 ? "" : hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      int port = Integer.parseInt(hostPort.substring(colon + 1));
      if (!host.isEmpty() && !host.contains("/") && port > 0 && port <= 65535) {
        return of(host, port);
      }
    } catch (NumberFormatException e) {
      // Falls through to the message below.
    }
    throw new IllegalArgumentException(
        "'" + hostPort + "' must be HOST:PORT (for example 127.0.0.1:8001)");
  }

  /** This target with another per-call deadline ({@link Duration#ZERO} for none). */
  public Target withDeadline(Duration newDeadline) {
    return new Target(host, port, tls, authority, headers, newDeadline, connectTimeout);
  }

  /** This target with {@code name: value} added to every call's metadata. */
  public Target withHeader(String name, String value) {
    Map<String, String> h = new TreeMap<>(headers);
    h.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
    return new Target(host, port, tls, authority, h, deadline, connectTimeout);
  }

  /** {@code host:port}, as ghz prints it. */
  public String address() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }

  /**
   * Transport security.
   *
   * @param enabled whether to use TLS at all
   * @param caCert PEM file of the CA to trust, or {@code null} for the JVM's default trust store
   * @param cert PEM client certificate chain for mutual TLS, or {@code null}
   * @param key PEM private key for {@code cert}, or {@code null}
   * @param skipVerify trust any server certificate (testing only)
   */
  public record Tls(boolean enabled, Path caCert, Path cert, Path key, boolean skipVerify) {
    /** No TLS. */
    public static final Tls PLAINTEXT = new Tls(false, null, null, null, false);

    public Tls {
      if ((cert == null) != (key == null)) {
        throw new IllegalArgumentException("a client cert and key go together; got only one");
      }
      if (!enabled && (caCert != null || cert != null || skipVerify)) {
        throw new IllegalArgumentException("TLS options given but TLS is not enabled");
      }
    }
  }
}
