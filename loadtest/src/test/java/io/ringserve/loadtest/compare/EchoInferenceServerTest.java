package io.ringserve.loadtest.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import inference.GRPCInferenceServiceGrpc;
import inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferRequest.InferInputTensor;
import inference.GrpcService.ModelInferResponse;
import inference.GrpcService.ModelMetadataRequest;
import inference.GrpcService.ModelMetadataResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ringserve.loadtest.LoadReport;
import io.ringserve.loadtest.LoadRunner;
import io.ringserve.loadtest.LoadSpec;
import io.ringserve.loadtest.LoadTestException;
import io.ringserve.loadtest.Target;
import io.ringserve.server.testing.TestServer;
import io.ringserve.server.testing.TestServers;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The echo as the comparison's baseline: a mirrored model is described as RingServe describes it
 * and answered with outputs of its shapes at the request's batch size, so a load on the echo
 * carries the model's bytes in and out; any other model is still {@code simple}, echoed.
 */
@Timeout(60)
class EchoInferenceServerTest {
  private final int ringServePort = TestServers.shared().port();
  private EchoInferenceServer echo;
  private ManagedChannel channel;
  private GRPCInferenceServiceBlockingStub stub;

  @BeforeEach
  void startEcho() throws Exception {
    echo =
        EchoInferenceServer.start(
            0, MirroredModel.fetch(Target.of(TestServer.HOST, ringServePort), List.of("mlp")));
    channel = NettyChannelBuilder.forAddress("127.0.0.1", echo.port()).usePlaintext().build();
    stub =
        GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    echo.close();
  }

  @Test
  void describesAMirroredModelAsRingServeDoes() throws Exception {
    ManagedChannel ringServe =
        NettyChannelBuilder.forAddress(TestServer.HOST, ringServePort).usePlaintext().build();
    try {
      ModelMetadataRequest mlp = ModelMetadataRequest.newBuilder().setName("mlp").build();
      ModelMetadataResponse expected =
          GRPCInferenceServiceGrpc.newBlockingStub(ringServe)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .modelMetadata(mlp);

      assertEquals(expected, stub.modelMetadata(mlp));
      assertEquals(List.of(-1L, 784L), expected.getInputs(0).getShapeList());
    } finally {
      ringServe.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void answersAMirroredModelWithItsOutputShapesAtTheRequestsBatchSize() {
    for (int rows : new int[] {1, 3, 3, 17}) {
      ModelInferResponse reply = stub.modelInfer(mlpRequest(rows, "call-" + rows));

      assertEquals("call-" + rows, reply.getId());
      assertEquals(1, reply.getOutputsCount());
      assertEquals("OUTPUT0", reply.getOutputs(0).getName());
      assertEquals("FP32", reply.getOutputs(0).getDatatype());
      assertEquals(List.of((long) rows, 10L), reply.getOutputs(0).getShapeList());
      assertEquals(rows * 10 * Float.BYTES, reply.getRawOutputContents(0).size());
    }
  }

  @Test
  void saysWhichModelItCannotMirror() {
    LoadTestException e =
        assertThrows(
            LoadTestException.class,
            () ->
                MirroredModel.fetch(
                    Target.of(TestServer.HOST, ringServePort), List.of("mlp", "no-such-model")));

    assertTrue(e.getMessage().contains("no-such-model"), e.getMessage());
  }

  @Test
  void refusesABatchDimensionItCannotAnswer() {
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> stub.modelInfer(mlpRequest(0, "")));

    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
  }

  @Test
  void stillEchoesAModelItDoesNotMirrorAsSimple() {
    ModelMetadataResponse simple =
        stub.modelMetadata(ModelMetadataRequest.newBuilder().setName("simple").build());
    assertEquals(
        List.of("INPUT0", "INPUT1"),
        simple.getInputsList().stream().map(i -> i.getName()).toList());

    ByteString bytes = ByteString.copyFrom(new byte[64]);
    ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName("simple");
    for (String input : new String[] {"INPUT0", "INPUT1"}) {
      request.addInputs(
          InferInputTensor.newBuilder()
              .setName(input)
              .setDatatype("INT32")
              .addShape(1)
              .addShape(16));
      request.addRawInputContents(bytes);
    }
    ModelInferResponse reply = stub.modelInfer(request.build());

    assertEquals(2, reply.getOutputsCount());
    assertEquals(request.getRawInputContentsList(), reply.getRawOutputContentsList());
  }

  /**
   * The wiring the comparison relies on: the load generator builds its requests from the echo's
   * description of {@code mlp} (checked above) and every call is answered.
   */
  @Test
  void servesALoadGeneratorRunOnTheMirroredModel() throws Exception {
    LoadReport r =
        LoadRunner.runOnce(
            LoadSpec.builder(Target.of("127.0.0.1", echo.port()), "mlp")
                .concurrency(4)
                .total(200)
                .build());

    assertEquals(200, r.okCount(), () -> "errors: " + r.errorDistribution());
  }

  private static ModelInferRequest mlpRequest(int rows, String id) {
    return ModelInferRequest.newBuilder()
        .setModelName("mlp")
        .setId(id)
        .addInputs(
            InferInputTensor.newBuilder()
                .setName("INPUT0")
                .setDatatype("FP32")
                .addShape(rows)
                .addShape(784))
        .addRawInputContents(ByteString.copyFrom(new byte[rows * 784 * Float.BYTES]))
        .build();
  }
}
