package io.ringserve.server.internal.grpc;

import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferResponse;
import inference.GrpcService.ModelStreamInferResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * One {@code ModelStreamInfer} call: each request read from the stream is queued like a unary one
 * and answered on the stream with its id echoed; a failed request is answered with {@code
 * error_message} and the stream stays open.
 *
 * <p>Flow control: the session asks gRPC for a new request only while fewer than {@link
 * #MAX_IN_FLIGHT} are unanswered and the client is reading responses ({@code isReady}), so a client
 * that writes faster than the model runs, or reads slower, cannot grow server memory without bound.
 * Responses come from scheduler threads; writes are serialised on {@code lock}.
 */
final class StreamInferSession implements StreamObserver<ModelInferRequest> {
  /** Requests a stream may have queued or running at once. */
  static final int MAX_IN_FLIGHT = 256;

  private final InferenceService service;
  private final ServerCallStreamObserver<ModelStreamInferResponse> call;
  private final Object lock = new Object();

  /** Unanswered requests. Guarded by {@code lock}. */
  private int inFlight;

  /** Requests asked of gRPC and not yet received. Guarded by {@code lock}. */
  private int requested;

  /** The client half-closed; finish once nothing is in flight. Guarded by {@code lock}. */
  private boolean halfClosed;

  /** The call ended (completed, failed or cancelled). Guarded by {@code lock}. */
  private boolean done;

  StreamInferSession(
      InferenceService service, ServerCallStreamObserver<ModelStreamInferResponse> call) {
    this.service = service;
    this.call = call;
    call.disableAutoRequest();
    call.setOnCancelHandler(
        () -> {
          synchronized (lock) {
            done = true;
          }
        });
    call.setOnReadyHandler(this::requestMore);
    requestMore();
  }

  @Override
  public void onNext(ModelInferRequest request) {
    synchronized (lock) {
      requested--;
      inFlight++;
    }
    service.submit(
        request,
        call::isCancelled,
        new InferenceService.Responder() {
          @Override
          public void succeed(InferReply reply) {
            answer(ModelStreamInferResponse.newBuilder().setInferResponse(reply.toProto()).build());
          }

          @Override
          public void fail(Status status) {
            String message = status.getDescription();
            answer(
                ModelStreamInferResponse.newBuilder()
                    .setErrorMessage(message == null ? "inference failed" : message)
                    .setInferResponse(
                        ModelInferResponse.newBuilder()
                            .setModelName(request.getModelName())
                            .setModelVersion(request.getModelVersion())
                            .setId(request.getId()))
                    .build());
          }
        });
  }

  private void answer(ModelStreamInferResponse response) {
    synchronized (lock) {
      inFlight--;
      if (done) {
        return;
      }
      call.onNext(response);
      if (halfClosed && inFlight == 0) {
        done = true;
        call.onCompleted();
        return;
      }
    }
    requestMore();
  }

  /** Tops up the requests asked of gRPC while the window and the client's reading allow. */
  private void requestMore() {
    int more;
    synchronized (lock) {
      if (done || halfClosed || !call.isReady()) {
        return;
      }
      more = MAX_IN_FLIGHT - inFlight - requested;
      if (more <= 0) {
        return;
      }
      requested += more;
    }
    call.request(more);
  }

  @Override
  public void onError(Throwable t) {
    // The client went away; requests still queued see the call as cancelled and never run.
    synchronized (lock) {
      done = true;
    }
  }

  @Override
  public void onCompleted() {
    synchronized (lock) {
      halfClosed = true;
      if (inFlight == 0 && !done) {
        done = true;
        call.onCompleted();
      }
    }
  }
}
