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
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.ringserve.loadtest.LoadTestException;
import io.ringserve.loadtest.Target;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The baseline of the overhead comparison: a bare grpc-java unary service, on the same Netty
 * transport and executor choice as RingServe, that answers {@code ModelInfer} without running a
 * model. A model it mirrors ({@link MirroredModel}: described as RingServe describes it) is
 * answered with zero-filled outputs of that model's shapes, so that the bytes in and out are the
 * model's; any other name is described as {@code simple} (two INT32 [-1, 16] inputs) and answered
 * by echoing the request's raw inputs back as outputs. Either way the load generator drives it
 * exactly as it drives RingServe.
 *
 * <p>{@link #main} runs it in a JVM of its own, as the out-of-process comparison ({@link
 * CompareCommand}) needs: {@code java -cp ringserve-loadtest.jar
 * io.ringserve.loadtest.compare.EchoInferenceServer PORT [--mirror HOST:PORT MODEL[,MODEL...]]}.
 * Thread-safe; calls run on Netty's event loop (direct executor), which is the cheapest a grpc-java
 * service can be.
 */
public final class EchoInferenceServer implements AutoCloseable {
  private final Server server;

  private EchoInferenceServer(Server server) {
    this.server = server;
  }

  /**
   * Serves on {@code PORT} (args[0], default 0: any) until the process is stopped; with {@code
   * --mirror HOST:PORT MODELS} (args[1..3]), mirrors those comma-separated models of the plain-text
   * gRPC server at {@code HOST:PORT}.
   */
  public static void main(String[] args) throws IOException, InterruptedException {
    if (!(args.length <= 1 || (args.length == 4 && args[1].equals("--mirror")))) {
      System.err.println("usage: EchoInferenceServer PORT [--mirror HOST:PORT MODEL[,MODEL...]]");
      System.exit(2);
    }
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    List<MirroredModel> mirrored = List.of();
    if (args.length == 4) {
      try {
        mirrored = MirroredModel.fetch(Target.parse(args[2]), List.of(args[3].split(",")));
      } catch (LoadTestException | IllegalArgumentException e) {
        // One line, which the comparison shows when the echo does not start.
        System.err.println(
            "echo: cannot mirror " + args[3] + " of " + args[2] + ": " + e.getMessage());
        System.exit(1);
      }
    }
    EchoInferenceServer echo = start(port, mirrored);
    System.out.println("echo listening on " + echo.port());
    System.out.flush();
    echo.server.awaitTermination();
  }

  /** Starts on any free port of 127.0.0.1, mirroring no model. */
  public static EchoInferenceServer start() throws IOException {
    return start(0, List.of());
  }

  /** Starts on {@code port} of 127.0.0.1 (0: any), serving {@code mirrored} as they describe. */
  static EchoInferenceServer start(int port, List<MirroredModel> mirrored) throws IOException {
    Map<String, MirroredModel> byName = new HashMap<>();
    mirrored.forEach(m -> byName.put(m.name(), m));
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
            .directExecutor()
            .addService(new Echo(Map.copyOf(byName)))
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
    private final Map<String, MirroredModel> mirrored;

    Echo(Map<String, MirroredModel> mirrored) {
      this.mirrored = mirrored;
    }

    @Override
    public void modelMetadata(
        ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> response) {
      MirroredModel model = mirrored.get(request.getName());
      if (model != null) {
        response.onNext(model.metadata());
        response.onCompleted();
        return;
      }
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
      MirroredModel model = mirrored.get(request.getModelName());
      if (model != null) {
        try {
          model.answer(request, echo);
        } catch (StatusRuntimeException e) {
          response.onError(e);
          return;
        }
        response.onNext(echo.build());
        response.onCompleted();
        return;
      }
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
