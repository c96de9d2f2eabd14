package io.ringserve.server;

import static io.ringserve.server.WireTensors.simpleRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import inference.GRPCInferenceServiceGrpc;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ServerLiveRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ringserve.server.testing.ExampleRepository;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Finding 2 of the reliability issue, bounded: messages within the size limit made of tiny {@code
 * bytes_contents} values, which would parse into hundreds of thousands of objects each, are refused
 * RESOURCE_EXHAUSTED before they are parsed, naming the limit, while a legitimate caller on another
 * connection is answered correctly within 2 s.
 */
class RequestElementsEndToEndTest {
  private static final long LIMIT = 100_000;
  private static final Duration CALL_DEADLINE = Duration.ofSeconds(10);
  private static TestServer server;

  @BeforeAll
  static void startServer() throws IOException {
    server =
        TestServers.start(
            TestServers.config(ExampleRepository.path())
                .grpcLimits(GrpcLimits.builder().maxRequestElements(LIMIT).build())
                .build());
  }

  @AfterAll
  static void stopServer() throws InterruptedException {
    if (server != null) {
      server.close();
    }
  }

  /** A ModelInferRequest to {@code simple} with one input of {@code values} 3-byte values. */
  private static byte[] tinyBytesContents(int values) throws IOException {
    ByteArrayOutputStream contents = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(contents);
    byte[] abc = {'a', 'b', 'c'};
    for (int i = 0; i < values; i++) {
      out.writeByteArray(8, abc);
    }
    out.flush();
    ByteArrayOutputStream input = new ByteArrayOutputStream();
    out = CodedOutputStream.newInstance(input);
    out.writeString(1, "INPUT0");
    out.writeString(2, "BYTES");
    out.writeByteArray(5, contents.toByteArray());
    out.flush();
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    out = CodedOutputStream.newInstance(request);
    out.writeString(1, "simple");
    out.writeByteArray(5, input.toByteArray());
    out.flush();
    return request.toByteArray();
  }

  @Test
  void shouldRefuseManyTinyBytesValuesBeforeParsingThem() throws Exception {
    // Just under the test servers' 4 MiB message limit: about 780,000 values per message.
    byte[] attack = tinyBytesContents((TestServers.MAX_MESSAGE_BYTES - 1024) / 5);
    ManagedChannel attacker =
        NettyChannelBuilder.forAddress(TestServer.HOST, server.port())
            .usePlaintext()
            .maxInboundMessageSize(TestServers.MAX_MESSAGE_BYTES)
            .build();
    ManagedChannel legitimate =
        NettyChannelBuilder.forAddress(TestServer.HOST, server.port()).usePlaintext().build();
    try {
      // The legitimate caller is connected before the attack, as a client already serving is.
      assertTrue(
          GRPCInferenceServiceGrpc.newBlockingStub(legitimate)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .serverLive(ServerLiveRequest.getDefaultInstance())
              .getLive());
      List<CompletableFuture<Status>> answers = new CopyOnWriteArrayList<>();
      long started = System.nanoTime();
      for (int i = 0; i < 16; i++) {
        answers.add(RawInferCalls.send(attacker, attack, CALL_DEADLINE));
      }
      for (int i = 0; i < 5; i++) {
        var stub =
            GRPCInferenceServiceGrpc.newBlockingStub(legitimate)
                .withDeadlineAfter(2, TimeUnit.SECONDS);
        assertTrue(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
        var response =
            GRPCInferenceServiceGrpc.newBlockingStub(legitimate)
                .withDeadlineAfter(2, TimeUnit.SECONDS)
                .modelInfer(simpleRequest().build());
        assertEquals(2, response.getRawOutputContentsCount());
      }
      for (CompletableFuture<Status> answer : answers) {
        Status status = answer.get(10, TimeUnit.SECONDS);
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, status.getCode(), status.toString());
        assertTrue(
            status.getDescription().contains(LIMIT + " elements (--grpc-max-request-elements)"),
            status.toString());
      }
      assertTrue(
          TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) < 10,
          "16 refusals within 10 s");
    } finally {
      attacker.shutdownNow();
      legitimate.shutdownNow();
    }
  }

  @Test
  void shouldCountRawBytesElementsAsTheShapeSaysAndRefuseTooMany() {
    // 400,000 zero-length BYTES elements: 1.6 MB of length prefixes in one raw entry, one field on
    // the wire, but 400,000 strings for the engine.
    int elements = 400_000;
    ModelInferRequest.Builder request =
        ModelInferRequest.newBuilder()
            .setModelName("simple_identity")
            .addInputs(
                ModelInferRequest.InferInputTensor.newBuilder()
                    .setName("INPUT0")
                    .setDatatype("BYTES")
                    .addShape(1)
                    .addShape(elements))
            .addRawInputContents(ByteString.copyFrom(new byte[4 * elements]));

    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                server.stub().withDeadlineAfter(10, TimeUnit.SECONDS).modelInfer(request.build()));

    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.toString());
    assertTrue(
        e.getStatus()
            .getDescription()
            .contains("more than " + LIMIT + " BYTES elements (--grpc-max-request-elements)"),
        e.toString());
    // Within the limit, the same model answers.
    request.setInputs(0, request.getInputs(0).toBuilder().setShape(1, 1000));
    request.setRawInputContents(0, ByteString.copyFrom(new byte[4 * 1000]));
    assertEquals(
        1,
        server
            .stub()
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .modelInfer(request.build())
            .getRawOutputContentsCount());
  }

  @Test
  void shouldServeARequestWithinTheLimit() throws Exception {
    // Refused by the model, not the limit: the count let it through to be decoded.
    Status status =
        RawInferCalls.send(server.channel(), tinyBytesContents(1000), CALL_DEADLINE)
            .get(5, TimeUnit.SECONDS);
    assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode(), status.toString());
  }
}
