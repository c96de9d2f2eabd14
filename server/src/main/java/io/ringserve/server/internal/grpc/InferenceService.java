package io.ringserve.server.internal.grpc;

import inference.GRPCInferenceServiceGrpc;
import inference.GrpcService.LogSettingsRequest;
import inference.GrpcService.LogSettingsResponse;
import inference.GrpcService.ModelConfigRequest;
import inference.GrpcService.ModelConfigResponse;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelMetadataRequest;
import inference.GrpcService.ModelMetadataResponse;
import inference.GrpcService.ModelReadyRequest;
import inference.GrpcService.ModelReadyResponse;
import inference.GrpcService.ModelStatisticsRequest;
import inference.GrpcService.ModelStatisticsResponse;
import inference.GrpcService.ModelStreamInferResponse;
import inference.GrpcService.RepositoryIndexRequest;
import inference.GrpcService.RepositoryIndexResponse;
import inference.GrpcService.RepositoryModelLoadRequest;
import inference.GrpcService.RepositoryModelLoadResponse;
import inference.GrpcService.RepositoryModelUnloadRequest;
import inference.GrpcService.RepositoryModelUnloadResponse;
import inference.GrpcService.ServerLiveRequest;
import inference.GrpcService.ServerLiveResponse;
import inference.GrpcService.ServerMetadataRequest;
import inference.GrpcService.ServerMetadataResponse;
import inference.GrpcService.ServerReadyRequest;
import inference.GrpcService.ServerReadyResponse;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.netty.util.internal.ThreadExecutorMap;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.ringserve.batching.InferenceCallback;
import io.ringserve.batching.InferenceException;
import io.ringserve.batching.InferenceRequest;
import io.ringserve.batching.Tensor;
import io.ringserve.server.internal.log.LogSettings;
import io.ringserve.server.internal.outbox.AnswerOutbox;
import io.ringserve.server.internal.repository.ModelRepository;
import io.ringserve.server.internal.repository.ServedModel;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@code inference.GRPCInferenceService}: the KServe v2 protocol with Triton's extensions. Health
 * and metadata are answered from the repository; inference requests are checked, queued on the
 * model's scheduler, and answered from the scheduler's threads.
 *
 * <p>Nothing here blocks: a handler either answers at once or hands the call to a scheduler, which
 * answers it exactly once; repository loads and unloads run on the repository's loader thread. RPCs
 * not implemented answer UNIMPLEMENTED naming the method.
 */
public final class InferenceService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
  private final ModelRepository repository;
  private final ServerState state;
  private final long maxBytesElements;

  /**
   * @param maxBytesElements BYTES elements one request may hold, as its inputs' shapes say ({@code
   *     --grpc-max-request-elements}; over REST too)
   */
  public InferenceService(ModelRepository repository, ServerState state, long maxBytesElements) {
    this.repository = Objects.requireNonNull(repository, "repository");
    this.state = Objects.requireNonNull(state, "state");
    if (maxBytesElements < 1) {
      throw new IllegalArgumentException("maxBytesElements must be >= 1, got " + maxBytesElements);
    }
    this.maxBytesElements = maxBytesElements;
  }

  @Override
  public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> response) {
    answer(response, ServerLiveResponse.newBuilder().setLive(state.isLive()).build());
  }

  @Override
  public void serverReady(
      ServerReadyRequest request, StreamObserver<ServerReadyResponse> response) {
    answer(response, ServerReadyResponse.newBuilder().setReady(state.isReady()).build());
  }

  @Override
  public void serverMetadata(
      ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> response) {
    answer(
        response,
        ServerMetadataResponse.newBuilder()
            .setName(ServerState.SERVER_NAME)
            .setVersion(ServerState.version())
            .addAllExtensions(ServerState.EXTENSIONS)
            .build());
  }

  @Override
  public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> response) {
    boolean ready = state.isModelReady(request.getName(), request.getVersion());
    answer(response, ModelReadyResponse.newBuilder().setReady(ready).build());
  }

  @Override
  public void modelMetadata(
      ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> response) {
    try {
      ServedModel model = repository.resolve(request.getName(), request.getVersion());
      answer(response, ModelDescriptions.metadata(model, repository.servedVersions(model.name())));
    } catch (RuntimeException e) {
      response.onError(
          Statuses.toStatus(
              e, "cannot describe the metadata of model '" + request.getName() + "'"));
    }
  }

  @Override
  public void modelConfig(
      ModelConfigRequest request, StreamObserver<ModelConfigResponse> response) {
    try {
      ServedModel model = repository.resolve(request.getName(), request.getVersion());
      answer(response, ModelConfigResponse.newBuilder().setConfig(model.config()).build());
    } catch (RuntimeException e) {
      response.onError(
          Statuses.toStatus(e, "cannot describe the config of model '" + request.getName() + "'"));
    }
  }

  @Override
  public void modelStatistics(
      ModelStatisticsRequest request, StreamObserver<ModelStatisticsResponse> response) {
    try {
      answer(
          response,
          ModelDescriptions.statistics(repository, request.getName(), request.getVersion()));
    } catch (RuntimeException e) {
      response.onError(Statuses.toStatus(e, "cannot gather the statistics of the models"));
    }
  }

  @Override
  public void repositoryIndex(
      RepositoryIndexRequest request, StreamObserver<RepositoryIndexResponse> response) {
    answer(response, ModelDescriptions.index(repository, request.getReady()));
  }

  @Override
  public void repositoryModelLoad(
      RepositoryModelLoadRequest request, StreamObserver<RepositoryModelLoadResponse> response) {
    RepositoryControl.load(repository, request, response);
  }

  @Override
  public void logSettings(
      LogSettingsRequest request, StreamObserver<LogSettingsResponse> response) {
    LogSettingsEndpoint.answer(LogSettings.process(), request, response);
  }

  @Override
  public void repositoryModelUnload(
      RepositoryModelUnloadRequest request,
      StreamObserver<RepositoryModelUnloadResponse> response) {
    RepositoryControl.unload(repository, request, response);
  }

  /**
   * The service to serve: the generated binding, with {@code ModelInfer} answering {@link
   * InferReply}s encoded by {@link InferReplyMarshaller} instead of {@code ModelInferResponse}
   * messages. ({@link #bindService} is generated and final; it binds {@code ModelInfer} to the
   * generated default, which answers UNIMPLEMENTED.)
   */
  public ServerServiceDefinition definition() {
    return ModelInferBinding.rebind(bindService(), this::infer);
  }

  /**
   * For {@link RequestParsing}: refuses a large {@code ModelInfer} request for a full queue before
   * its body is read ({@link FullQueueRefusal}); not once the server stops being live, whose own
   * answer the usual path gives.
   */
  public RequestParsing.EarlyRefusal fullQueueRefusal() {
    FullQueueRefusal refusal = new FullQueueRefusal(repository);
    return message -> state.isLive() ? refusal.refusal(message) : null;
  }

  /**
   * For REST: how a request to {@code model} ({@code version} empty for the latest) is refused
   * before its body is read because the model's queue is full, or {@code null} to read it as usual
   * (the queue has room, the model is unknown or not ready, or the server is no longer live).
   */
  public RequestParsing.Early fullQueue(String model, String version) {
    return state.isLive() ? FullQueueRefusal.queueFull(repository, model, version) : null;
  }

  /** {@code ModelInfer}, as {@link #definition} binds it. */
  private void infer(InferRequestFields request, StreamObserver<InferReply> response) {
    UnaryCall call = new UnaryCall((ServerCallStreamObserver<InferReply>) response);
    submit(request, call, call);
  }

  /** One {@code ModelInfer} call: where its answer goes, and whether its client has left. */
  private static final class UnaryCall implements Responder, BooleanSupplier {
    private final ServerCallStreamObserver<InferReply> call;
    private final Executor loop;

    UnaryCall(ServerCallStreamObserver<InferReply> call) {
      this.call = call;
      // Handlers run on the call's event loop (none on the in-process transport): answers given
      // inside a batch go back to it as one task.
      this.loop = ThreadExecutorMap.currentExecutor();
      // With a cancel handler set, answering a call the client has already left is a no-op
      // rather than an exception on the scheduler thread.
      call.setOnCancelHandler(() -> {});
    }

    @Override
    public void succeed(InferReply answer) {
      AnswerOutbox.ofThisThread().send(loop, new UnaryAnswer(call, answer));
    }

    @Override
    public void fail(Status status) {
      call.onError(status.asRuntimeException(Statuses.trailersOf(status)));
    }

    @Override
    public boolean getAsBoolean() {
      return call.isCancelled();
    }
  }

  @Override
  public StreamObserver<ModelInferRequest> modelStreamInfer(
      StreamObserver<ModelStreamInferResponse> response) {
    return new StreamInferSession(
        this, (ServerCallStreamObserver<ModelStreamInferResponse>) response);
  }

  /**
   * Where the answer to one inference request goes; exactly one method is called, once. Failures
   * arrive already translated ({@link Statuses}), so that every path words them the same way. The
   * REST front end answers through it too. Called on a scheduler thread, or on the caller's when
   * the request is refused before it is queued.
   */
  public interface Responder {
    void succeed(InferReply reply);

    void fail(Status status);
  }

  /**
   * Resolves, checks and queues one request. Failures before it is queued go to the responder too,
   * so that every path answers exactly once. The one path from a decoded request to a scheduler,
   * for gRPC and REST alike; never blocks.
   */
  public void submit(ModelInferRequest request, BooleanSupplier cancelled, Responder responder) {
    submit(InferRequestFields.of(request), cancelled, responder);
  }

  private void submit(InferRequestFields request, BooleanSupplier cancelled, Responder responder) {
    ServedModel model = null;
    InferenceRequest inference;
    try {
      if (!state.isLive()) {
        throw new InferenceException(
            InferenceException.Reason.UNAVAILABLE, "Server is shutting down");
      }
      // Admitted: the version finishes this request even if a swap retires it meanwhile.
      model = repository.acquire(request.modelName(), request.modelVersion());
      InferRequestDecoder.Decoded decoded =
          InferRequestDecoder.decode(model, request, maxBytesElements);
      inference =
          InferenceRequest.of(
              request.id(),
              decoded.inputs(),
              decoded.requestedOutputs(),
              decoded.priority(),
              decoded.timeoutMicros(),
              deadlineNanos(),
              cancelled,
              new Encoding(model.name(), model.versionString(), request.id(), model, responder));
    } catch (RuntimeException e) {
      if (model != null) {
        model.release();
      }
      responder.fail(
          Statuses.statusOf(e, "model '" + request.modelName() + "' failed to accept the request"));
      return;
    }
    model.scheduler().submit(inference);
  }

  /** Encodes a scheduler's answer into the protocol's response for the responder. */
  private record Encoding(
      String model, String version, String requestId, ServedModel admitted, Responder responder)
      implements InferenceCallback {
    @Override
    public void onSuccess(List<Tensor> outputs) {
      try {
        encodeAndAnswer(outputs);
      } finally {
        admitted.release();
      }
    }

    private void encodeAndAnswer(List<Tensor> outputs) {
      InferReply reply;
      try {
        reply = new InferReply(model, version, requestId, outputs);
      } catch (RuntimeException | LinkageError e) {
        // The request is already marked answered: whatever breaks here must still reach the
        // caller, or its call would hang until the deadline.
        responder.fail(Statuses.statusOf(e, "model '" + model + "' failed to encode its outputs"));
        return;
      }
      responder.succeed(reply);
    }

    @Override
    public void onFailure(InferenceException failure) {
      try {
        responder.fail(Statuses.statusOf(failure, "model '" + model + "' failed to run the batch"));
      } finally {
        admitted.release();
      }
    }
  }

  private static long deadlineNanos() {
    Deadline deadline = Context.current().getDeadline();
    if (deadline == null) {
      return InferenceRequest.NO_DEADLINE;
    }
    return System.nanoTime() + deadline.timeRemaining(TimeUnit.NANOSECONDS);
  }

  private static <T> void answer(StreamObserver<T> response, T message) {
    response.onNext(message);
    response.onCompleted();
  }
}
