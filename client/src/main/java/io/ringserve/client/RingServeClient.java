package io.ringserve.client;

import inference.GRPCInferenceServiceGrpc;
import inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceStub;
import inference.GrpcService.ModelConfigRequest;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelMetadataRequest;
import inference.GrpcService.ModelMetadataResponse;
import inference.GrpcService.ModelReadyRequest;
import inference.GrpcService.ModelStatisticsRequest;
import inference.GrpcService.ModelStatisticsResponse;
import inference.GrpcService.RepositoryIndexRequest;
import inference.GrpcService.RepositoryIndexResponse.ModelIndex;
import inference.GrpcService.RepositoryModelLoadRequest;
import inference.GrpcService.RepositoryModelUnloadRequest;
import inference.GrpcService.ServerLiveRequest;
import inference.GrpcService.ServerMetadataRequest;
import inference.GrpcService.ServerMetadataResponse;
import inference.GrpcService.ServerReadyRequest;
import inference.ModelConfigOuterClass.ModelConfig;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.ringserve.client.internal.InferCodec;
import io.ringserve.client.internal.UnaryFuture;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A client for RingServe, or any KServe v2 / Triton server: health, metadata, configuration,
 * statistics, repository and inference calls over one gRPC channel.
 *
 * <pre>{@code
 * try (RingServeClient client = RingServeClient.builder().target("localhost:8001").build()) {
 *   InferResult r = client.infer(InferRequest.builder("simple")
 *       .input(Tensor.of("INPUT0", a, 1, 16))
 *       .input(Tensor.of("INPUT1", b, 1, 16))
 *       .build());
 *   int[] sum = r.output("OUTPUT0").asInts();
 * }
 * }</pre>
 *
 * <p>With several targets, calls are spread round-robin over the servers that are up; calls that
 * fail with {@code UNAVAILABLE} are retried by gRPC, on another server when there is one (see
 * {@link RetryPolicy}). Unary calls get the builder's default deadline; streams get none unless
 * opened with one.
 *
 * <p>Thread-safe: share one client (one channel, one HTTP/2 connection per server) across the
 * application; creating one per call wastes a connection handshake each time. Blocking calls throw
 * {@link RingServeException}; async calls complete their future with it. {@link #close()} shuts the
 * channel down.
 */
public final class RingServeClient implements AutoCloseable {
  private final ManagedChannel channel;
  private final Duration defaultDeadline;
  private final GRPCInferenceServiceBlockingStub blocking;
  private final GRPCInferenceServiceStub async;

  RingServeClient(ManagedChannel channel, Duration defaultDeadline) {
    this.channel = Objects.requireNonNull(channel, "channel");
    this.defaultDeadline = Objects.requireNonNull(defaultDeadline, "defaultDeadline");
    this.blocking = GRPCInferenceServiceGrpc.newBlockingStub(channel);
    this.async = GRPCInferenceServiceGrpc.newStub(channel);
  }

  /** A builder: one target or several, TLS, deadline, retries. */
  public static RingServeClientBuilder builder() {
    return new RingServeClientBuilder();
  }

  /** A plaintext client for one {@code host:port} with the default settings. */
  public static RingServeClient connect(String target) {
    return builder().target(target).build();
  }

  /** Whether the server process is up (ServerLive). */
  public boolean isServerLive() {
    return call("ServerLive", () -> stub().serverLive(ServerLiveRequest.getDefaultInstance()))
        .getLive();
  }

  /** Whether the server is ready for inference (ServerReady). */
  public boolean isServerReady() {
    return call("ServerReady", () -> stub().serverReady(ServerReadyRequest.getDefaultInstance()))
        .getReady();
  }

  /** Whether the server's chosen version of {@code model} is ready (ModelReady). */
  public boolean isModelReady(String model) {
    return isModelReady(model, "");
  }

  /** Whether {@code version} of {@code model} is ready; {@code ""} lets the server choose. */
  public boolean isModelReady(String model, String version) {
    ModelReadyRequest request =
        ModelReadyRequest.newBuilder().setName(model).setVersion(version).build();
    return call("ModelReady " + model, () -> stub().modelReady(request)).getReady();
  }

  /** The server's name, version and protocol extensions (ServerMetadata). */
  public ServerMetadataResponse serverMetadata() {
    return call(
        "ServerMetadata", () -> stub().serverMetadata(ServerMetadataRequest.getDefaultInstance()));
  }

  /** A model's versions, platform, inputs and outputs (ModelMetadata). */
  public ModelMetadataResponse modelMetadata(String model) {
    return modelMetadata(model, "");
  }

  /** A model version's metadata; {@code ""} lets the server choose the version. */
  public ModelMetadataResponse modelMetadata(String model, String version) {
    ModelMetadataRequest request =
        ModelMetadataRequest.newBuilder().setName(model).setVersion(version).build();
    return call("ModelMetadata " + model, () -> stub().modelMetadata(request));
  }

  /** A model's configuration, as Triton's {@code config.pbtxt} (ModelConfig). */
  public ModelConfig modelConfig(String model) {
    return modelConfig(model, "");
  }

  /** A model version's configuration; {@code ""} lets the server choose the version. */
  public ModelConfig modelConfig(String model, String version) {
    ModelConfigRequest request =
        ModelConfigRequest.newBuilder().setName(model).setVersion(version).build();
    return call("ModelConfig " + model, () -> stub().modelConfig(request)).getConfig();
  }

  /** Statistics of every model (ModelStatistics with no name). */
  public ModelStatisticsResponse modelStatistics() {
    return modelStatistics("", "");
  }

  /** Statistics of {@code model}'s versions ({@code version ""} for all of them). */
  public ModelStatisticsResponse modelStatistics(String model, String version) {
    ModelStatisticsRequest request =
        ModelStatisticsRequest.newBuilder().setName(model).setVersion(version).build();
    return call("ModelStatistics " + model, () -> stub().modelStatistics(request));
  }

  /** The models of the repository with their state ({@code readyOnly}: only those ready). */
  public List<ModelIndex> repositoryIndex(boolean readyOnly) {
    RepositoryIndexRequest request =
        RepositoryIndexRequest.newBuilder().setReady(readyOnly).build();
    return call("RepositoryIndex", () -> stub().repositoryIndex(request)).getModelsList();
  }

  /** Loads or reloads {@code model} (RepositoryModelLoad; servers may answer UNIMPLEMENTED). */
  public void loadModel(String model) {
    RepositoryModelLoadRequest request =
        RepositoryModelLoadRequest.newBuilder().setModelName(model).build();
    call("RepositoryModelLoad " + model, () -> stub().repositoryModelLoad(request));
  }

  /** Unloads {@code model} (RepositoryModelUnload; servers may answer UNIMPLEMENTED). */
  public void unloadModel(String model) {
    RepositoryModelUnloadRequest request =
        RepositoryModelUnloadRequest.newBuilder().setModelName(model).build();
    call("RepositoryModelUnload " + model, () -> stub().repositoryModelUnload(request));
  }

  /** Runs one inference and waits for the result, at most the default deadline. */
  public InferResult infer(InferRequest request) {
    return infer(request, defaultDeadline);
  }

  /** Runs one inference and waits for the result, at most {@code deadline}. */
  public InferResult infer(InferRequest request, Duration deadline) {
    ModelInferRequest message = InferCodec.encode(request, request.id());
    return InferResult.of(
        call("ModelInfer " + request.model(), () -> stub(deadline).modelInfer(message)));
  }

  /** Starts one inference; the future completes with the result or a {@link RingServeException}. */
  public CompletableFuture<InferResult> inferAsync(InferRequest request) {
    return inferAsync(request, defaultDeadline);
  }

  /** Starts one inference with its own deadline. Cancelling the future cancels the call. */
  public CompletableFuture<InferResult> inferAsync(InferRequest request, Duration deadline) {
    ModelInferRequest message = InferCodec.encode(request, request.id());
    String what = "ModelInfer " + request.model();
    UnaryFuture<inference.GrpcService.ModelInferResponse, InferResult> future =
        new UnaryFuture<>(InferResult::of, t -> RingServeException.from(what, t));
    async
        .withDeadlineAfter(checkDeadline(deadline).toNanos(), TimeUnit.NANOSECONDS)
        .modelInfer(message, future);
    return future;
  }

  /** Opens a stream without a deadline: it lasts until closed, cancelled or the server goes. */
  public InferStream openStream() {
    return new InferStream(async::modelStreamInfer);
  }

  /** Opens a stream that ends, failing what is unanswered, once {@code deadline} has passed. */
  public InferStream openStream(Duration deadline) {
    GRPCInferenceServiceStub stub =
        async.withDeadlineAfter(checkDeadline(deadline).toNanos(), TimeUnit.NANOSECONDS);
    return new InferStream(stub::modelStreamInfer);
  }

  /** The channel, for calls this class does not wrap (generated stubs work on it directly). */
  public ManagedChannel channel() {
    return channel;
  }

  /**
   * Shuts the channel down: new calls fail at once, calls in flight get up to five seconds to
   * finish before they are cancelled. Blocks until then.
   */
  @Override
  public void close() {
    channel.shutdown();
    try {
      if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private GRPCInferenceServiceBlockingStub stub() {
    return stub(defaultDeadline);
  }

  private GRPCInferenceServiceBlockingStub stub(Duration deadline) {
    return blocking.withDeadlineAfter(checkDeadline(deadline).toNanos(), TimeUnit.NANOSECONDS);
  }

  private static Duration checkDeadline(Duration deadline) {
    Objects.requireNonNull(deadline, "deadline");
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("deadline must be positive, got " + deadline);
    }
    return deadline;
  }

  private static <T> T call(String what, Supplier<T> call) {
    try {
      return call.get();
    } catch (StatusRuntimeException e) {
      throw RingServeException.fromStatus(what, e.getStatus(), e);
    }
  }
}
