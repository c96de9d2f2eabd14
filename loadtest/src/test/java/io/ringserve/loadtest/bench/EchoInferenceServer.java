package io.ringserve.loadtest.bench;

import inference.GRPCInferenceServiceGrpc;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferResponse;
import inference.GrpcService.ModelMetadataRequest;
import inference.GrpcService.ModelMetadataResponse;
import inference.GrpcService.ModelMetadataResponse.TensorMetadata;
import inference.GrpcService.ModelStatisticsRequest;
import inference.GrpcService.ModelStatisticsResponse;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The baseline of the overhead comparison: a bare grpc-java unary service, on the same Netty
 * transport and executor choice as RingServe, that answers {@code ModelInfer} by echoing the
 * request's raw inputs back as outputs. It describes itself as {@code simple} (two INT32 [-1, 16]
 * inputs) so that the load generator drives it exactly as it drives RingServe's {@code simple}.
 */
final class EchoInferenceServer implements AutoCloseable {
  private final Server server;

  private EchoInferenceServer(Server server) {
    this.server = server;
  }

  static EchoInferenceServer start() throws IOException {
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .directExecutor()
            .addService(new Echo())
            .build()
            .start();
    return new EchoInferenceServer(server);
  }

  int port() {
    return server.getPort();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private static final class Echo extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
    @Override
    public void modelMetadata(
        ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> response) {
      ModelMetadataResponse.Builder metadata =
          ModelMetadataResponse.newBuilder().setName(request.getName()).addVersions("1");
      for (String input : new String[] {"INPUT0", "INPUT1"}) {
        metadata.addInputs(
            TensorMetadata.newBuilder()
                .setName(input)
                .setDatatype("INT32")
                .addShape(-1)
                .addShape(16));
      }
      response.onNext(metadata.build());
      response.onCompleted();
    }

    @Override
    public void modelStatistics(
        ModelStatisticsRequest request, StreamObserver<ModelStatisticsResponse> response) {
      response.onNext(ModelStatisticsResponse.getDefaultInstance());
      response.onCompleted();
    }

    @Override
    public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> response) {
      ModelInferResponse.Builder echo =
          ModelInferResponse.newBuilder()
              .setModelName(request.getModelName())
              .setModelVersion("1")
              .setId(request.getId());
      for (int i = 0; i < request.getInputsCount(); i++) {
        echo.addOutputsBuilder()
            .setName("OUTPUT" + i)
            .setDatatype(request.getInputs(i).getDatatype())
            .addAllShape(request.getInputs(i).getShapeList());
      }
      echo.addAllRawOutputContents(request.getRawInputContentsList());
      response.onNext(echo.build());
      response.onCompleted();
    }
  }
}
