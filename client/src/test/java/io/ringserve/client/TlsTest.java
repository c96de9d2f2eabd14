package io.ringserve.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inference.GRPCInferenceServiceGrpc;
import inference.GrpcService.ServerLiveRequest;
import inference.GrpcService.ServerLiveResponse;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.TlsTesting;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The builder's TLS options against a TLS server on 127.0.0.1 with gRPC's test certificates. */
class TlsTest {
  /** A name the test server certificate ({@code server1.pem}) is valid for. */
  private static final String AUTHORITY = "foo.test.google.fr";

  private static Server server;

  @BeforeAll
  static void startTlsServer() throws Exception {
    ServerCredentials credentials;
    try (InputStream cert = TlsTesting.loadCert("server1.pem");
        InputStream key = TlsTesting.loadCert("server1.key")) {
      credentials = TlsServerCredentials.create(cert, key);
    }
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), credentials)
            .addService(
                new GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase() {
                  @Override
                  public void serverLive(
                      ServerLiveRequest request, StreamObserver<ServerLiveResponse> response) {
                    response.onNext(ServerLiveResponse.newBuilder().setLive(true).build());
                    response.onCompleted();
                  }
                })
            .build()
            .start();
  }

  @AfterAll
  static void stop() {
    server.shutdownNow();
  }

  @Test
  void shouldCallOverTlsTrustingTheGivenAuthority(@TempDir Path dir) throws Exception {
    Path ca = dir.resolve("ca.pem");
    try (InputStream in = TlsTesting.loadCert("ca.pem")) {
      Files.copy(in, ca);
    }
    try (RingServeClient client =
        RingServeClient.builder()
            .target("127.0.0.1:" + server.getPort())
            .tls(ca)
            .overrideAuthority(AUTHORITY)
            .build()) {
      assertTrue(client.isServerLive());
    }
  }

  @Test
  void shouldRefuseAServerItDoesNotTrust() {
    try (RingServeClient client =
        RingServeClient.builder()
            .target("127.0.0.1:" + server.getPort())
            .tls()
            .overrideAuthority(AUTHORITY)
            .retryPolicy(RetryPolicy.NONE)
            .defaultDeadline(Duration.ofSeconds(10))
            .build()) {
      RingServeException e = assertThrows(RingServeException.class, client::isServerLive);
      assertEquals(Status.Code.UNAVAILABLE, e.code());
    }
  }
}
