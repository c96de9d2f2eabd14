package io.ringserve.client.internal;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.NameResolverRegistry;
import io.grpc.Status;
import io.grpc.StatusOr;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A name resolver for a fixed list of servers, so that one channel can balance over several
 * targets: {@code ringserve-static:///host1:8001,host2:8001} resolves to both addresses, each its
 * own subchannel. Host names are looked up once, when the channel starts resolving.
 *
 * <p>The provider is registered in gRPC's default registry once per JVM, on first use. Thread-safe
 * and stateless: every target carries its own address list.
 */
public final class StaticAddresses extends NameResolverProvider {
  /** The URI scheme this provider answers. */
  public static final String SCHEME = "ringserve-static";

  private static final StaticAddresses INSTANCE = new StaticAddresses();

  static {
    NameResolverRegistry.getDefaultRegistry().register(INSTANCE);
  }

  private StaticAddresses() {}

  /**
   * The channel target for {@code hostPorts}, registering the resolver if needed.
   *
   * @throws IllegalArgumentException if an entry is not {@code host:port}
   */
  public static String target(List<String> hostPorts) {
    if (hostPorts.isEmpty()) {
      throw new IllegalArgumentException("at least one target is needed");
    }
    for (String hp : hostPorts) {
      parse(hp);
    }
    // java.net.URI takes no brackets in a path; the resolver reads the decoded path back.
    String path = String.join(",", hostPorts).replace("[", "%5B").replace("]", "%5D");
    return SCHEME + ":///" + path;
  }

  /**
   * Parses {@code host:port} or {@code [v6-address]:port} without resolving it.
   *
   * @throws IllegalArgumentException naming the entry if it is malformed
   */
  public static InetSocketAddress parse(String hostPort) {
    if (hostPort == null || hostPort.isBlank()) {
      throw new IllegalArgumentException("target must be host:port, got \"" + hostPort + "\"");
    }
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new IllegalArgumentException("target must be host:port, got \"" + hostPort + "\"");
    }
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      throw new IllegalArgumentException(
          "IPv6 targets need brackets, as [::1]:8001; got \"" + hostPort + "\"");
    }
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("target port is not a number in \"" + hostPort + "\"", e);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "target port must be in [1, 65535] in \"" + hostPort + "\"");
    }
    return InetSocketAddress.createUnresolved(host, port);
  }

  @Override
  protected boolean isAvailable() {
    return true;
  }

  @Override
  protected int priority() {
    return 5;
  }

  @Override
  public String getDefaultScheme() {
    return SCHEME;
  }

  @Override
  public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
    return List.of(InetSocketAddress.class);
  }

  @Override
  public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
    if (!SCHEME.equals(targetUri.getScheme())) {
      return null;
    }
    String path = targetUri.getPath();
    List<String> hostPorts = List.of((path.startsWith("/") ? path.substring(1) : path).split(","));
    return new Resolver(hostPorts);
  }

  /** Hands the fixed list to the load balancer, once per (re)resolution. */
  private static final class Resolver extends NameResolver {
    private final List<String> hostPorts;
    private volatile Listener2 listener;

    Resolver(List<String> hostPorts) {
      this.hostPorts = hostPorts;
    }

    @Override
    public String getServiceAuthority() {
      // TLS checks every server against this name; overrideAuthority changes it.
      InetSocketAddress first = parse(hostPorts.get(0));
      return first.getHostString() + ":" + first.getPort();
    }

    @Override
    public void start(Listener2 listener) {
      this.listener = listener;
      resolve(listener);
    }

    private void resolve(Listener2 listener) {
      List<EquivalentAddressGroup> groups = new ArrayList<>();
      try {
        for (String hp : hostPorts) {
          InetSocketAddress unresolved = parse(hp);
          InetSocketAddress address =
              new InetSocketAddress(unresolved.getHostString(), unresolved.getPort());
          if (address.isUnresolved()) {
            throw new IllegalArgumentException("cannot resolve host of target " + hp);
          }
          groups.add(new EquivalentAddressGroup(address));
        }
      } catch (IllegalArgumentException e) {
        Status failure = Status.UNAVAILABLE.withDescription(e.getMessage()).withCause(e);
        listener.onResult2(
            ResolutionResult.newBuilder()
                .setAddressesOrError(StatusOr.fromStatus(failure))
                .build());
        return;
      }
      listener.onResult2(
          ResolutionResult.newBuilder().setAddressesOrError(StatusOr.fromValue(groups)).build());
    }

    @Override
    public void refresh() {
      if (listener != null) {
        resolve(listener);
      }
    }

    @Override
    public void shutdown() {}
  }
}
