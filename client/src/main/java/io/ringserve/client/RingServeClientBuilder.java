package io.ringserve.client;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannelBuilder;
import io.grpc.TlsChannelCredentials;
import io.ringserve.client.internal.ServiceConfigs;
import io.ringserve.client.internal.StaticAddresses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Configures a {@link RingServeClient}: which servers, plaintext or TLS, the default deadline of
 * unary calls, the retry policy, health checking and message limits. Defaults: plaintext, 30 s
 * deadline, {@link RetryPolicy#DEFAULT}, health checking with several targets only, 64 MiB inbound
 * messages, gRPC's own executor.
 *
 * <p>Several servers (several targets, or a {@code dns:///} name of a Kubernetes headless Service
 * with {@link #healthChecking(boolean) healthChecking(true)}) are balanced round-robin, call by
 * call, over those whose health says {@code SERVING}: with RingServe servers stopped by SIGTERM one
 * at a time, a rolling restart fails no call.
 *
 * <p>Not thread-safe; build on one thread, then share the client.
 */
public final class RingServeClientBuilder {
  /** Inbound messages up to this size are accepted unless changed; the server's default too. */
  public static final int DEFAULT_MAX_INBOUND_MESSAGE_BYTES = 64 * 1024 * 1024;

  private final List<String> targets = new ArrayList<>();
  private ChannelCredentials credentials = InsecureChannelCredentials.create();
  private String authority;
  private Duration defaultDeadline = Duration.ofSeconds(30);
  private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
  private int maxInboundMessageBytes = DEFAULT_MAX_INBOUND_MESSAGE_BYTES;
  private Executor executor;
  // null: on when balancing over several targets (see healthChecking).
  private Boolean healthChecking;

  RingServeClientBuilder() {}

  /**
   * One server: {@code host:port}, or any gRPC target such as {@code dns:///svc.ns:8001} (which
   * balances over every address the name resolves to, such as a headless Service's ready pods; the
   * name is resolved again when a connection closes, so give servers a maximum connection age for
   * new replicas to get calls).
   */
  public RingServeClientBuilder target(String target) {
    Objects.requireNonNull(target, "target");
    if (target.isBlank()) {
      throw new IllegalArgumentException("target must not be blank");
    }
    targets.clear();
    targets.add(target);
    return this;
  }

  /** Several servers, each {@code host:port}; calls are balanced round-robin among them. */
  public RingServeClientBuilder targets(List<String> hostPorts) {
    Objects.requireNonNull(hostPorts, "hostPorts");
    if (hostPorts.isEmpty()) {
      throw new IllegalArgumentException("targets must not be empty");
    }
    for (String hp : hostPorts) {
      StaticAddresses.parse(hp);
    }
    targets.clear();
    targets.addAll(hostPorts);
    return this;
  }

  /** Several servers, each {@code host:port}. */
  public RingServeClientBuilder targets(String... hostPorts) {
    return targets(List.of(hostPorts));
  }

  /** TLS, trusting the JVM's default certificate authorities. */
  public RingServeClientBuilder tls() {
    return credentials(TlsChannelCredentials.create());
  }

  /** TLS, trusting the certificate authorities in a PEM file. */
  public RingServeClientBuilder tls(Path trustedCertificatesPem) {
    Objects.requireNonNull(trustedCertificatesPem, "trustedCertificatesPem");
    try {
      return credentials(
          TlsChannelCredentials.newBuilder().trustManager(trustedCertificatesPem.toFile()).build());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read trusted certificates from " + trustedCertificatesPem, e);
    }
  }

  /** Any channel credentials, such as mutual TLS built with {@link TlsChannelCredentials}. */
  public RingServeClientBuilder credentials(ChannelCredentials credentials) {
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    return this;
  }

  /**
   * The name servers' TLS certificates are checked against, instead of the (first) target's host.
   */
  public RingServeClientBuilder overrideAuthority(String authority) {
    this.authority = Objects.requireNonNull(authority, "authority");
    return this;
  }

  /** How long a unary call may take, retries included, unless the call gives its own. */
  public RingServeClientBuilder defaultDeadline(Duration deadline) {
    Objects.requireNonNull(deadline, "deadline");
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("defaultDeadline must be positive, got " + deadline);
    }
    this.defaultDeadline = deadline;
    return this;
  }

  /** How {@code UNAVAILABLE} failures are retried; {@link RetryPolicy#NONE} to turn retries off. */
  public RingServeClientBuilder retryPolicy(RetryPolicy policy) {
    this.retryPolicy = Objects.requireNonNull(policy, "policy");
    return this;
  }

  /** The largest response accepted; larger ones fail with {@code RESOURCE_EXHAUSTED}. */
  public RingServeClientBuilder maxInboundMessageBytes(int bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("maxInboundMessageBytes must be >= 1, got " + bytes);
    }
    this.maxInboundMessageBytes = bytes;
    return this;
  }

  /**
   * Whether the client watches each server's {@code grpc.health.v1} health (the whole server, the
   * empty service name) and sends calls only to servers that say {@code SERVING}. Default: on with
   * several {@link #targets targets}, off with one {@link #target target}; turn it on for a {@code
   * dns:///} name of a Kubernetes headless Service.
   *
   * <p>This is what keeps a rolling restart from failing calls: a RingServe server being stopped
   * (SIGTERM) says {@code NOT_SERVING} for its {@code --shutdown-drain-delay} before it closes, and
   * a new one says {@code SERVING} only once its models are loaded. It is off for one target
   * because one address may front several servers (a ClusterIP Service): a draining server would
   * then fail calls instead of serving them until its connection closes and the next one opens. A
   * server without the health service is used as if this were off; leave it off for a server whose
   * health service does not know the empty name, which would otherwise never be picked.
   */
  public RingServeClientBuilder healthChecking(boolean enabled) {
    this.healthChecking = enabled;
    return this;
  }

  /**
   * The executor that runs response callbacks (and so completes async futures). Default: gRPC's
   * shared cached pool. The caller owns the executor and shuts it down after the client.
   */
  public RingServeClientBuilder executor(Executor executor) {
    this.executor = Objects.requireNonNull(executor, "executor");
    return this;
  }

  /**
   * Creates the client. Connections open lazily, on the first call.
   *
   * @throws IllegalStateException if no target was given
   */
  public RingServeClient build() {
    if (targets.isEmpty()) {
      throw new IllegalStateException("no target: call target(\"host:port\") or targets(...)");
    }
    String target = targets.size() == 1 ? targets.get(0) : StaticAddresses.target(targets);
    ManagedChannelBuilder<?> b =
        Grpc.newChannelBuilder(target, credentials)
            .defaultServiceConfig(
                ServiceConfigs.of(
                    retryPolicy, healthChecking != null ? healthChecking : targets.size() > 1))
            .disableServiceConfigLookUp()
            .maxInboundMessageSize(maxInboundMessageBytes);
    if (retryPolicy.retries()) {
      // gRPC caps attempts at 5 unless told otherwise.
      b.enableRetry().maxRetryAttempts(retryPolicy.maxAttempts());
    } else {
      b.disableRetry();
    }
    if (authority != null) {
      b.overrideAuthority(authority);
    }
    if (executor != null) {
      b.executor(executor);
    }
    return new RingServeClient(b.build(), defaultDeadline);
  }
}
