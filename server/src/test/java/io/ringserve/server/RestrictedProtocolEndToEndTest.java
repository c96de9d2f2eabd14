package io.ringserve.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import inference.GRPCInferenceServiceGrpc;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.RepositoryIndexRequest;
import inference.GrpcService.ServerLiveRequest;
import inference.GrpcService.ServerMetadataRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Triton's {@code --grpc-restricted-protocol}: a restricted group's methods answer {@code
 * UNAVAILABLE} with Triton's message unless the call carries the header, other groups stay open;
 * and {@code --reflection false} turns server reflection off.
 */
class RestrictedProtocolEndToEndTest {
  private static final String EXPECTED =
      "This protocol is restricted, expecting header 'triton-grpc-protocol-infer-key'";

  @TempDir Path repository;

  private TestServer server;
  private ManagedChannel channel;

  private void start(GrpcSecurity security) throws Exception {
    Files.createDirectories(repository);
    server = TestServers.start(TestServers.config(repository).grpcSecurity(security).build());
    channel = NettyChannelBuilder.forAddress(TestServer.HOST, server.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (server != null) {
      server.close();
    }
  }

  private GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub(String header, String v) {
    var stub =
        GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS);
    if (header == null) {
      return stub;
    }
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of(header, Metadata.ASCII_STRING_MARSHALLER), v);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  @Test
  void shouldAnswerARestrictedGroupWithoutItsHeaderAsTritonDoes() throws Exception {
    start(
        GrpcSecurity.defaults()
            .withRestriction(
                GrpcSecurity.Restriction.parse("inference,model-repository:infer-key=secret")));
    ModelInferRequest infer = ModelInferRequest.newBuilder().setModelName("nope").build();

    for (String[] header :
        new String[][] {
          {null, null},
          {"triton-grpc-protocol-infer-key", "wrong"},
          {"infer-key", "secret"}
        }) {
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class, () -> stub(header[0], header[1]).modelInfer(infer));
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
      assertEquals(EXPECTED, e.getStatus().getDescription());
      e =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  stub(header[0], header[1])
                      .repositoryIndex(RepositoryIndexRequest.getDefaultInstance()));
      assertEquals(EXPECTED, e.getStatus().getDescription());
    }

    // With the header, the call reaches the server: here, an unknown model.
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () -> stub("triton-grpc-protocol-infer-key", "secret").modelInfer(infer));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    assertTrue(
        stub("triton-grpc-protocol-infer-key", "secret")
                .repositoryIndex(RepositoryIndexRequest.getDefaultInstance())
                .getModelsCount()
            >= 0);

    // Unrestricted groups need no header: health (v2 and grpc.health.v1) and metadata.
    assertTrue(stub(null, null).serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
    assertEquals(
        "ringserve",
        stub(null, null).serverMetadata(ServerMetadataRequest.getDefaultInstance()).getName());
    HealthGrpc.newBlockingStub(channel)
        .withDeadlineAfter(2, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance());
  }

  @Test
  void shouldRestrictTheStandardHealthServiceWithTheHealthGroup() throws Exception {
    start(
        GrpcSecurity.defaults()
            .withRestriction(GrpcSecurity.Restriction.parse("health:probe=k8s")));
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(2, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    assertEquals(
        "This protocol is restricted, expecting header 'triton-grpc-protocol-probe'",
        e.getStatus().getDescription());
    assertTrue(
        stub("triton-grpc-protocol-probe", "k8s")
            .serverLive(ServerLiveRequest.getDefaultInstance())
            .getLive());
  }

  @Test
  void shouldServeReflectionOnlyWhenOn() throws Exception {
    start(GrpcSecurity.defaults().withReflection(false));
    assertEquals(Status.Code.UNIMPLEMENTED, reflectionStatus());
    stop();

    start(GrpcSecurity.defaults());
    assertEquals(Status.Code.OK, reflectionStatus());
  }

  /** The status of a reflection call listing the services. */
  private Status.Code reflectionStatus() throws Exception {
    CompletableFuture<Status.Code> done = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(channel)
            .withDeadlineAfter(2, TimeUnit.SECONDS)
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse response) {
                    done.complete(Status.Code.OK);
                  }

                  @Override
                  public void onError(Throwable t) {
                    done.complete(Status.fromThrowable(t).getCode());
                  }

                  @Override
                  public void onCompleted() {
                    done.complete(Status.Code.OK);
                  }
                });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("*").build());
    requests.onCompleted();
    return done.get(5, TimeUnit.SECONDS);
  }

  @Test
  void shouldParseTritonsSyntaxAndNameWhatIsWrong() {
    GrpcSecurity.Restriction r = GrpcSecurity.Restriction.parse("health, Metadata:My-Key=a=b");
    assertEquals(java.util.Set.of("health", "metadata"), r.protocols());
    assertEquals("triton-grpc-protocol-my-key", r.key());
    assertEquals("a=b", r.value());

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> GrpcSecurity.Restriction.parse("inference"));
    assertTrue(e.getMessage().contains("<protocol>[,<protocol>...]:<key>=<value>"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> GrpcSecurity.Restriction.parse("infer:k=v"));
    assertTrue(e.getMessage().contains("unknown protocol 'infer'"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                GrpcSecurity.defaults()
                    .withRestriction(GrpcSecurity.Restriction.parse("health:a=1"))
                    .withRestriction(GrpcSecurity.Restriction.parse("health,metadata:b=2")));
    assertTrue(e.getMessage().contains("'health' is restricted more than once"), e.getMessage());
  }
}
