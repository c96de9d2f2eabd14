package io.ringserve.loadtest;

import inference.GRPCInferenceServiceGrpc;
import inference.GrpcService.InferStatistics;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferResponse;
import inference.GrpcService.ModelMetadataRequest;
import inference.GrpcService.ModelMetadataResponse;
import inference.GrpcService.ModelMetadataResponse.TensorMetadata;
import inference.GrpcService.ModelStatistics;
import inference.GrpcService.ModelStatisticsRequest;
import inference.GrpcService.ModelStatisticsResponse;
import inference.GrpcService.StatisticDuration;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A minimal KServe v2 server on 127.0.0.1 for tests: model {@code fake} with one INT32 input {@code
 * [-1, 4]}, answers every inference at once except call number {@code stallAt}, during which it
 * stalls for {@code stallMillis}. All calls are served by one thread, so the stall holds up every
 * call behind it, as a GC pause or a stuck worker would. No ModelConfig (a plain KServe server).
 */
final class StallingServer implements AutoCloseable {
  private final Server server;
  private final ExecutorService executor = Executors.newSingleThreadExecutor();
  private final AtomicLong inferences = new AtomicLong();

  StallingServer(long stallAt, long stallMillis) throws IOException {
    this.server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .executor(executor)
            .addService(new Service(stallAt, stallMillis))
            .build()
            .start();
  }

  Target target() {
    return Target.of("127.0.0.1", server.getPort());
  }

  @Override
  public void close() {
    server.shutdownNow();
    executor.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class Service extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
    private final long stallAt;
    private final long stallMillis;

    Service(long stallAt, long stallMillis) {
      this.stallAt = stallAt;
      this.stallMillis = stallMillis;
    }

    @Override
    public void modelMetadata(
        ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> response) {
      if (!request.getName().equals("fake")) {
        response.onError(
            Status.NOT_FOUND.withDescription("no model " + request.getName()).asException());
        return;
      }
      response.onNext(
          ModelMetadataResponse.newBuilder()
              .setName("fake")
              .addVersions("1")
              .addInputs(
                  TensorMetadata.newBuilder()
                      .setName("IN")
                      .setDatatype("INT32")
                      .addShape(-1)
                      .addShape(4))
              .build());
      response.onCompleted();
    }

    @Override
    public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> response) {
      if (inferences.incrementAndGet() == stallAt) {
        try {
          // The stall being simulated, not synchronisation: every later call waits behind it.
          Thread.sleep(stallMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      response.onNext(ModelInferResponse.newBuilder().setModelName("fake").build());
      response.onCompleted();
    }

    @Override
    public void modelStatistics(
        ModelStatisticsRequest request, StreamObserver<ModelStatisticsResponse> response) {
      long n = inferences.get();
      StatisticDuration count = StatisticDuration.newBuilder().setCount(n).build();
      response.onNext(
          ModelStatisticsResponse.newBuilder()
              .addModelStats(
                  ModelStatistics.newBuilder()
                      .setName("fake")
                      .setVersion("1")
                      .setInferenceCount(n)
                      .setExecutionCount(n)
                      .setInferenceStats(
                          InferStatistics.newBuilder()
                              .setSuccess(count)
                              .setQueue(count)
                              .setComputeInfer(count)))
              .build());
      response.onCompleted();
    }
  }
}
