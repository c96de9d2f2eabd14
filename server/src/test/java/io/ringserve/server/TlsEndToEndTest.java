package io.ringserve.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inference.GRPCInferenceServiceGrpc;
import inference.GrpcService.ServerLiveRequest;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.ringserve.server.testing.TestCertificates;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gRPC port's TLS and mutual TLS, with Triton's semantics, against a real server on 127.0.0.1
 * with certificates made at test time: TLS calls work, a client without a certificate is refused
 * under mutual TLS, a rotated certificate is served to new connections without a restart while an
 * open connection keeps working, and the connection limit holds under TLS.
 */
class TlsEndToEndTest {
  @TempDir Path dir;

  private Path repository;
  private Path serverCert;
  private Path serverKey;
  private Path clientCert;
  private Path clientKey;
  private Path ca;
  private TestCertificates authority;
  private TestServer server;
  private final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeEach
  void certificates() throws Exception {
    repository = Files.createDirectories(dir.resolve("models"));
    authority = new TestCertificates("first");
    serverCert = dir.resolve("server.crt");
    serverKey = dir.resolve("server.key");
    clientCert = dir.resolve("client.crt");
    clientKey = dir.resolve("client.key");
    ca = authority.writeCa(dir.resolve("ca.crt"));
    authority.writeLeaf("server", serverCert, serverKey);
    authority.writeLeaf("client", clientCert, clientKey);
  }

  @AfterEach
  void stop() throws InterruptedException {
    channels.forEach(ManagedChannel::shutdownNow);
    if (server != null) {
      server.close();
    }
  }

  private TestServer start(boolean mutual, GrpcLimits limits) throws Exception {
    GrpcSecurity security =
        GrpcSecurity.defaults()
            .withTls(new GrpcSecurity.Tls(serverCert, serverKey, mutual ? ca : null, mutual));
    server =
        TestServers.start(
            TestServers.config(repository).grpcLimits(limits).grpcSecurity(security).build());
    return server;
  }

  private ManagedChannel channel(ChannelCredentials credentials) {
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress(TestServer.HOST, server.port(), credentials).build();
    channels.add(channel);
    return channel;
  }

  private static ChannelCredentials trusting(Path caFile) throws Exception {
    return TlsChannelCredentials.newBuilder().trustManager(caFile.toFile()).build();
  }

  private static boolean live(ManagedChannel channel) {
    return GRPCInferenceServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(2, TimeUnit.SECONDS)
        .serverLive(ServerLiveRequest.getDefaultInstance())
        .getLive();
  }

  @Test
  void shouldServeACallOverTlsAndRefusePlaintext() throws Exception {
    start(false, GrpcLimits.defaults());
    assertTrue(live(channel(trusting(ca))));

    ManagedChannel plaintext = channel(io.grpc.InsecureChannelCredentials.create());
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> live(plaintext));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
  }

  @Test
  void shouldRefuseAClientWithoutACertificateUnderMutualTls() throws Exception {
    start(true, GrpcLimits.defaults());

    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> live(channel(trusting(ca))));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());

    ChannelCredentials withCertificate =
        TlsChannelCredentials.newBuilder()
            .trustManager(ca.toFile())
            .keyManager(clientCert.toFile(), clientKey.toFile())
            .build();
    assertTrue(live(channel(withCertificate)));
  }

  @Test
  void shouldRefuseAClientCertificateFromAnotherAuthority() throws Exception {
    start(true, GrpcLimits.defaults());
    TestCertificates stranger = new TestCertificates("stranger");
    Path strangerCert = dir.resolve("stranger.crt");
    Path strangerKey = dir.resolve("stranger.key");
    stranger.writeLeaf("client", strangerCert, strangerKey);

    ChannelCredentials foreign =
        TlsChannelCredentials.newBuilder()
            .trustManager(ca.toFile())
            .keyManager(strangerCert.toFile(), strangerKey.toFile())
            .build();
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> live(channel(foreign)));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
  }

  @Test
  void shouldServeARotatedCertificateToNewConnectionsWhileOpenOnesKeepWorking() throws Exception {
    start(false, GrpcLimits.defaults());
    ManagedChannel before = channel(trusting(ca));
    assertTrue(live(before));

    // Rotate to a certificate of another authority, as cert-manager renewing with a new CA would.
    TestCertificates next = new TestCertificates("second");
    Path nextCa = next.writeCa(dir.resolve("next-ca.crt"));
    next.writeLeaf("server", serverCert, serverKey);
    // Coarse file-system clocks: make the change visible whatever the timestamp resolution.
    FileTime later = FileTime.from(Instant.now().plusSeconds(5));
    Files.setLastModifiedTime(serverCert, later);
    Files.setLastModifiedTime(serverKey, later);

    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    boolean rotated = false;
    while (!rotated && System.nanoTime() < until) {
      try {
        rotated = live(channel(trusting(nextCa)));
      } catch (StatusRuntimeException stillOld) {
        Thread.sleep(200);
      }
    }
    assertTrue(rotated, "a new connection was never offered the rotated certificate");

    // The connection made before the rotation still serves, with no new handshake.
    assertTrue(live(before));
    // A client that trusts only the old authority no longer connects.
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> live(channel(trusting(ca))));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
  }

  @Test
  void shouldKeepTheLastGoodCertificateWhenARotationIsHalfWritten() throws Exception {
    start(false, GrpcLimits.defaults());
    assertTrue(live(channel(trusting(ca))));

    Files.writeString(serverKey, "-----BEGIN PRIVATE KEY-----\ntruncated");
    Files.setLastModifiedTime(serverKey, FileTime.from(Instant.now().plusSeconds(5)));
    Thread.sleep(1_200);

    assertTrue(live(channel(trusting(ca))));
  }

  @Test
  void shouldApplyTheConnectionLimitUnderTls() throws Exception {
    start(false, GrpcLimits.builder().maxConnections(1).build());
    ManagedChannel first = channel(trusting(ca));
    assertTrue(live(first));

    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> live(channel(trusting(ca))));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    assertTrue(live(first));
  }

  @Test
  void shouldNotStartWithAnUnreadableKeyAndNameTheFileButNotItsContents() throws Exception {
    Files.writeString(
        serverKey, "-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n");
    Exception e =
        assertThrows(
            java.io.IOException.class,
            () ->
                RingServeServer.start(
                    TestServers.config(repository)
                        .grpcSecurity(
                            GrpcSecurity.defaults()
                                .withTls(new GrpcSecurity.Tls(serverCert, serverKey, null, false)))
                        .build()));
    assertTrue(e.getMessage().contains(serverKey.toString()), e.getMessage());
    assertTrue(!e.getMessage().contains("c2VjcmV0"), e.getMessage());
  }
}
