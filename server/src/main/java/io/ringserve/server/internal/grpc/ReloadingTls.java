package io.ringserve.server.internal.grpc;

import io.grpc.netty.shaded.io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.util.AsciiString;
import io.ringserve.server.GrpcSecurity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The gRPC port's TLS, with certificate files that may change on disk: each new connection is
 * negotiated with the current files, so a rotated certificate (cert-manager, a renewed Secret) is
 * served to new connections without a restart, while connections already open keep the session they
 * negotiated.
 *
 * <p>The files' modification times and sizes are looked at, at most once per {@link
 * #CHECK_INTERVAL_NANOS}, when a connection arrives; if any changed, the files are read again. A
 * set of files that does not load (a rotation half written) keeps the previous context and is tried
 * again at the next check; the warning names the file paths, never their contents.
 *
 * <p>Thread-safe: connections arrive on several event loops; the reload is synchronized, the
 * current negotiator is a volatile read. Cost per connection: a clock read, and a few {@code stat}
 * calls once per second.
 */
public final class ReloadingTls implements InternalProtocolNegotiator.ProtocolNegotiator {
  /** Files are looked at no more often than this. */
  static final long CHECK_INTERVAL_NANOS = 1_000_000_000L;

  private static final System.Logger LOG = System.getLogger(ReloadingTls.class.getName());

  private final GrpcSecurity.Tls tls;
  private volatile InternalProtocolNegotiator.ProtocolNegotiator current;
  private volatile List<Object> stamp;
  private volatile long nextCheckNanos;

  /**
   * Reads the files once.
   *
   * @throws IOException naming the file that cannot be read or is not valid PEM, so that a server
   *     with wrong files does not start
   */
  public ReloadingTls(GrpcSecurity.Tls tls) throws IOException {
    this.tls = Objects.requireNonNull(tls, "tls");
    this.stamp = stamp();
    this.current = InternalProtocolNegotiators.serverTls(context());
    this.nextCheckNanos = System.nanoTime() + CHECK_INTERVAL_NANOS;
  }

  @Override
  public AsciiString scheme() {
    return current.scheme();
  }

  @Override
  public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
    if (System.nanoTime() - nextCheckNanos >= 0) {
      reloadIfChanged();
    }
    return current.newHandler(grpcHandler);
  }

  @Override
  public void close() {
    current.close();
  }

  /** Reads the files again if their times or sizes changed since the last read. */
  synchronized void reloadIfChanged() {
    nextCheckNanos = System.nanoTime() + CHECK_INTERVAL_NANOS;
    List<Object> now;
    try {
      now = stamp();
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "TLS files not reloaded: {0}", e.getMessage());
      return;
    }
    if (now.equals(stamp)) {
      return;
    }
    try {
      SslContext context = context();
      current = InternalProtocolNegotiators.serverTls(context);
      stamp = now;
      LOG.log(
          System.Logger.Level.INFO,
          "TLS certificate reloaded from {0}; new connections use it",
          tls.certificateChain());
    } catch (IOException | RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "TLS files changed but do not load; new connections keep the previous certificate: {0}",
          e.getMessage());
    }
  }

  private List<Object> stamp() throws IOException {
    List<Object> stamp = new ArrayList<>();
    for (Path file : files()) {
      FileTime time = Files.getLastModifiedTime(file);
      stamp.add(file);
      stamp.add(time);
      stamp.add(Files.size(file));
    }
    return stamp;
  }

  private List<Path> files() {
    List<Path> files = new ArrayList<>(List.of(tls.certificateChain(), tls.privateKey()));
    if (tls.rootCertificates() != null) {
      files.add(tls.rootCertificates());
    }
    return files;
  }

  private SslContext context() throws IOException {
    SslContextBuilder builder;
    try {
      builder =
          GrpcSslContexts.forServer(tls.certificateChain().toFile(), tls.privateKey().toFile());
    } catch (IllegalArgumentException e) {
      // Netty's message does not carry key material; it says which file is wrong.
      throw new IOException(
          "cannot read the certificate "
              + tls.certificateChain()
              + " (--grpc-server-cert) or key "
              + tls.privateKey()
              + " (--grpc-server-key): "
              + e.getMessage(),
          e);
    }
    if (tls.rootCertificates() != null) {
      try {
        builder.trustManager(tls.rootCertificates().toFile());
      } catch (IllegalArgumentException e) {
        throw new IOException(
            "cannot read the root certificates "
                + tls.rootCertificates()
                + " (--grpc-root-cert): "
                + e.getMessage(),
            e);
      }
    }
    builder.clientAuth(tls.mutual() ? ClientAuth.REQUIRE : ClientAuth.NONE);
    try {
      return builder.build();
    } catch (javax.net.ssl.SSLException e) {
      throw new IOException(
          "cannot use the TLS files "
              + files()
              + " (--grpc-server-cert, --grpc-server-key, --grpc-root-cert): "
              + e.getMessage(),
          e);
    }
  }
}
