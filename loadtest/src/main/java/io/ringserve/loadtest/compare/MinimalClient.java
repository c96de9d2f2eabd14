package io.ringserve.loadtest.compare;

import com.google.protobuf.ByteString;
import inference.GRPCInferenceServiceGrpc;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferRequest.InferInputTensor;
import inference.GrpcService.ModelInferResponse;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.ringserve.loadtest.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The yardstick of the load generator's own cost: the least a grpc-java client can do to keep
 * {@code concurrency} {@code simple} calls outstanding. One pre-built request, async unary calls on
 * the transport's threads (direct executor), no deadline, no latency recording: it only counts
 * successes. Runs once; not reusable.
 */
final class MinimalClient {
  /** Successful calls and the time they took. */
  record Result(long ok, long failed, Duration elapsed) {}

  private MinimalClient() {}

  /** The request {@code simple} takes: INPUT0 and INPUT1, INT32 [1, 16], raw contents. */
  static ModelInferRequest simpleRequest() {
    ModelInferRequest.Builder b = ModelInferRequest.newBuilder().setModelName("simple");
    byte[] bytes = new byte[16 * Integer.BYTES];
    for (int i = 0; i < 16; i++) {
      bytes[i * 4] = (byte) i;
    }
    for (String name : new String[] {"INPUT0", "INPUT1"}) {
      b.addInputs(
          InferInputTensor.newBuilder()
              .setName(name)
              .setDatatype("INT32")
              .addShape(1)
              .addShape(16));
      b.addRawInputContents(ByteString.copyFrom(bytes));
    }
    return b.build();
  }

  static Result run(Target target, int concurrency, int connections, Duration duration)
      throws InterruptedException {
    List<ManagedChannel> channels = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      channels.add(
          Grpc.newChannelBuilderForAddress(
                  target.host(), target.port(), InsecureChannelCredentials.create())
              .directExecutor()
              .build());
    }
    ModelInferRequest request = simpleRequest();
    LongAdder ok = new LongAdder();
    LongAdder failed = new LongAdder();
    CountDownLatch lanes = new CountDownLatch(concurrency);
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    try {
      for (int lane = 0; lane < concurrency; lane++) {
        new Lane(channels.get(lane % connections), request, end, ok, failed, lanes).next();
      }
      lanes.await(duration.toMillis() + 30_000, TimeUnit.MILLISECONDS);
      return new Result(ok.sum(), failed.sum(), Duration.ofNanos(System.nanoTime() - start));
    } finally {
      for (ManagedChannel c : channels) {
        c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  /** One call outstanding at a time, the next started from the previous one's completion. */
  private record Lane(
      ManagedChannel channel,
      ModelInferRequest request,
      long endNanos,
      LongAdder ok,
      LongAdder failed,
      CountDownLatch done)
      implements StreamObserver<ModelInferResponse> {
    void next() {
      if (System.nanoTime() >= endNanos) {
        done.countDown();
        return;
      }
      ClientCalls.asyncUnaryCall(
          channel.newCall(GRPCInferenceServiceGrpc.getModelInferMethod(), CallOptions.DEFAULT),
          request,
          this);
    }

    @Override
    public void onNext(ModelInferResponse value) {}

    @Override
    public void onError(Throwable t) {
      failed.increment();
      // A failing server ends the lane rather than spinning on immediate failures.
      done.countDown();
    }

    @Override
    public void onCompleted() {
      ok.increment();
      next();
    }
  }
}
