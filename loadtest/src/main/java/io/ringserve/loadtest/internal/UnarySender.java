package io.ringserve.loadtest.internal;

import inference.GRPCInferenceServiceGrpc;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferResponse;
import io.grpc.CallOptions;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Sends each call as a unary {@code ModelInfer}. Per call: one gRPC call object and one observer;
 * the response is dropped on arrival. Thread-safe.
 */
public final class UnarySender implements CallSender {
  private final Channels channels;
  private final long deadlineNanos;

  /**
   * @param deadline per-call deadline, {@link Duration#ZERO} for none
   */
  public UnarySender(Channels channels, Duration deadline) {
    this.channels = Objects.requireNonNull(channels, "channels");
    this.deadlineNanos = Objects.requireNonNull(deadline, "deadline").toNanos();
  }

  @Override
  public void send(int lane, ModelInferRequest request, Completion done) {
    CallOptions options =
        deadlineNanos > 0
            ? CallOptions.DEFAULT.withDeadlineAfter(deadlineNanos, TimeUnit.NANOSECONDS)
            : CallOptions.DEFAULT;
    ClientCalls.asyncUnaryCall(
        channels.get(lane).newCall(GRPCInferenceServiceGrpc.getModelInferMethod(), options),
        request,
        new StreamObserver<ModelInferResponse>() {
          @Override
          public void onNext(ModelInferResponse value) {}

          @Override
          public void onError(Throwable t) {
            Status s = Status.fromThrowable(t);
            done.complete(s.getCode(), CallSender.describe(s));
          }

          @Override
          public void onCompleted() {
            done.complete(Status.Code.OK, null);
          }
        });
  }

  @Override
  public void close() {}
}
