package io.ringserve.loadtest.compare;

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
 *
 * <p>{@link #main} runs it in a JVM of its own, as the out-of-process comparison ({@link
 * CompareCommand}) needs: {@code java -cp ringserve-loadtest.jar
 * io.ringserve.loadtest.compare.EchoInferenceServer PORT}. Thread-safe; calls run on Netty's event
 * loop (direct executor), which is the cheapest a grpc-java service can be.
 */
public final class EchoInferenceServer implements AutoCloseable {
  private final Server server;

  private EchoInferenceServer(Server server) {
    this.server = server;
  }

  /** Serves on {@code PORT} (args[0], default 0: any) until the process is stopped. */
  public static void main(String[] args) throws IOException, InterruptedException {
    EchoInferenceServer echo = start(args.length > 0 ? Integer.parseInt(args[0]) : 0);
    System.out.println("echo listening on " + echo.port());
    System.out.flush();
    echo.server.awaitTermination();
  }

  /** Starts on any free port of 127.0.0.1. */
  public static EchoInferenceServer start() throws IOException {
    return start(0);
  }

  /** Starts on {@code port} of 127.0.0.1 (0: any). */
  public static EchoInferenceServer start(int port) throws IOException {
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
            .directExecutor()
            .addService(new Echo())
            .build()
            .start();
    return new EchoInferenceServer(server);
  }

  public int port() {
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
